// Maps a ServiceInstance onto a Consul service registration the way Kratos's Consul registry
// does, so that Go services built with Kratos and Node clients find each other in one Consul:
// tag `version=<version>`, Meta = metadata, TaggedAddresses[<scheme>] = { Address: <endpoint URL>,
// Port }, and Address/Port from the first endpoint.
import { InvalidArgumentError, type ServiceInstance } from "@switchyard/api";
import { goDuration } from "./duration.js";
import { checkMetadata } from "./meta.js";
import type { Settings } from "./settings.js";

/** One endpoint of an instance, parsed. */
interface Endpoint {
  readonly url: string;
  readonly scheme: string;
  /** Host without IPv6 brackets, as Consul stores addresses. */
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
}

/** The body of `PUT /v1/agent/service/register` for an instance, and its TTL check id. */
export interface Registration {
  readonly body: Readonly<Record<string, unknown>>;
  readonly ttlCheckId: string | undefined;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { http: 80, https: 443 };
const UNSPECIFIED = new Set(["0.0.0.0", "::", "[::]"]);

/** `host:port`, with brackets around an IPv6 host. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

function parseEndpoint(endpoint: unknown, who: string): Endpoint {
  const fail = (problem: string): never => {
    throw new InvalidArgumentError(`consul: ${who} has endpoint ${JSON.stringify(endpoint)}: ${problem}`);
  };
  if (typeof endpoint !== "string") return fail("it is not a string");
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return fail('it is not a URL; write it as "http://10.0.0.5:8000" or "grpc://10.0.0.5:9000"');
  }
  const scheme = url.protocol.slice(0, -1);
  if (url.hostname === "") fail("it has no host");
  if (UNSPECIFIED.has(url.hostname))
    fail("it listens on every interface; register an address clients can dial");
  const port = url.port === "" ? DEFAULT_PORTS[scheme] : Number(url.port);
  if (port === undefined) fail(`it has no port, and ${scheme} has no default port`);
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  const flag = url.searchParams.get("isSecure") ?? "";
  const secure =
    scheme === "https" || scheme === "grpcs" || ["1", "t", "T", "true", "TRUE", "True"].includes(flag);
  return { url: endpoint, scheme, host, port: port as number, secure };
}

function describeInstance(instance: ServiceInstance): string {
  return `instance ${JSON.stringify(instance?.id)} of ${JSON.stringify(instance?.name)}`;
}

function checkInstance(instance: ServiceInstance, who: string): void {
  const fail = (problem: string): never => {
    throw new InvalidArgumentError(`consul: cannot register ${who}: ${problem}`);
  };
  if (typeof instance !== "object" || instance === null) fail("expected a ServiceInstance object");
  if (typeof instance.id !== "string" || instance.id === "") fail("its id must be a non-empty string");
  if (typeof instance.name !== "string" || instance.name === "") fail("its name must be a non-empty string");
  if (typeof instance.version !== "string") fail("its version must be a string (may be empty)");
  if (typeof instance.metadata !== "object" || instance.metadata === null)
    fail("its metadata must be an object");
  if (!Array.isArray(instance.endpoints) || instance.endpoints.length === 0) {
    fail('it has no endpoints; give it at least one, such as "http://10.0.0.5:8000"');
  }
}

function activeCheck(settings: Settings, id: string, endpoints: readonly Endpoint[], who: string) {
  const check = settings.check;
  if (check === undefined) return undefined;
  const pick = (family: string): Endpoint => {
    const found = endpoints.find((e) => e.scheme === family || e.scheme === `${family}s`);
    if (found === undefined) {
      throw new InvalidArgumentError(
        `consul: cannot add a ${check.type} check to ${who}: it has no ${family}:// endpoint; add one or set check.target`,
      );
    }
    return found;
  };
  const common = {
    CheckID: `service:${id}:${check.type}`,
    Name: `${check.type} check of ${id}`,
    Interval: goDuration(check.intervalMs ?? 10_000),
    Timeout: goDuration(check.timeoutMs ?? 5000),
    ...(settings.deregisterAfterMs === undefined
      ? {}
      : { DeregisterCriticalServiceAfter: goDuration(settings.deregisterAfterMs) }),
  };
  if (check.type === "tcp") {
    const first = endpoints[0]!;
    return { ...common, TCP: check.target ?? joinHostPort(first.host, first.port) };
  }
  if (check.type === "http") {
    if (check.target !== undefined) return { ...common, HTTP: check.target };
    const e = pick("http");
    const path = check.path ?? "/";
    return { ...common, HTTP: `${e.secure ? "https" : "http"}://${joinHostPort(e.host, e.port)}${path}` };
  }
  const e = check.target === undefined ? pick("grpc") : undefined;
  const target = check.target ?? joinHostPort(e!.host, e!.port);
  const service = check.grpcService ? `/${check.grpcService}` : "";
  return { ...common, GRPC: `${target}${service}`, GRPCUseTLS: e?.secure ?? false };
}

/**
 * Builds the registration of `instance`.
 * @throws InvalidArgumentError when the instance has no id, name or endpoints, an endpoint is not
 * a dialable URL, two endpoints share a scheme, or the metadata breaks Consul's rules.
 */
export function buildRegistration(instance: ServiceInstance, settings: Settings): Registration {
  const who = describeInstance(instance);
  checkInstance(instance, who);
  checkMetadata(instance.metadata, who);
  const endpoints = instance.endpoints.map((e) => parseEndpoint(e, who));
  const tagged: Record<string, { Address: string; Port: number }> = {};
  for (const e of endpoints) {
    if (Object.hasOwn(tagged, e.scheme)) {
      throw new InvalidArgumentError(
        `consul: ${who} has two ${e.scheme}:// endpoints; Consul keeps one tagged address per scheme, so register one`,
      );
    }
    tagged[e.scheme] = { Address: e.url, Port: e.port };
  }
  const first = endpoints[0]!;
  const checks: Record<string, unknown>[] = [];
  const after =
    settings.deregisterAfterMs === undefined
      ? {}
      : { DeregisterCriticalServiceAfter: goDuration(settings.deregisterAfterMs) };
  const ttlCheckId = settings.heartbeat === undefined ? undefined : `service:${instance.id}`;
  if (settings.heartbeat !== undefined) {
    checks.push({
      CheckID: ttlCheckId,
      Name: `Service '${instance.name}' TTL heartbeat`,
      TTL: goDuration(settings.heartbeat.ttlMs),
      ...after,
    });
  }
  const active = activeCheck(settings, instance.id, endpoints, who);
  if (active !== undefined) checks.push(active);
  return {
    body: {
      ID: instance.id,
      Name: instance.name,
      Tags: [`version=${instance.version}`, ...settings.tags],
      Meta: { ...instance.metadata },
      Address: first.host,
      Port: first.port,
      TaggedAddresses: tagged,
      Checks: checks,
    },
    ttlCheckId,
  };
}
