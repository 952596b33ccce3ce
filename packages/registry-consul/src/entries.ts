// Reads `/v1/health/service/:name` entries back into ServiceInstances, as Kratos's resolver does:
// endpoints from the service's TaggedAddresses (skipping Consul's own lan/wan entries), else
// `http://Address:Port` with the node's address when the service has none; version from the
// `version=` tag; metadata from Meta.
import type { ServiceInstance } from "@switchyard/api";
import { joinHostPort } from "./registration.js";

/** The instances of one health reply, and why any entry was left out. */
export interface ParsedEntries {
  readonly instances: readonly ServiceInstance[];
  /** One message per entry that could not be used. */
  readonly skipped: readonly string[];
  /** Ids of the instances whose entry was unusable (no usable address). */
  readonly unusable: readonly string[];
}

type Health = "passing" | "warning" | "critical";

const CONSUL_TAGGED = new Set(["lan", "wan", "lan_ipv4", "wan_ipv4", "lan_ipv6", "wan_ipv6"]);
const RANK: Readonly<Record<string, number>> = { passing: 0, warning: 1, critical: 2 };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function endpointOf(scheme: string, value: unknown): string | undefined {
  if (!isObject(value) || typeof value.Address !== "string" || value.Address === "") return undefined;
  const address = value.Address;
  if (address.includes("://")) {
    try {
      return new URL(address).hostname === "" ? undefined : address;
    } catch {
      return undefined;
    }
  }
  // A plain host from another registrant: rebuild the URL from the key and the port.
  const port = value.Port;
  if (typeof port !== "number" || !Number.isInteger(port) || port <= 0) return undefined;
  return `${scheme}://${joinHostPort(address, port)}`;
}

function endpointsOf(service: Record<string, unknown>, node: unknown): string[] {
  const endpoints: string[] = [];
  if (isObject(service.TaggedAddresses)) {
    for (const [scheme, value] of Object.entries(service.TaggedAddresses)) {
      if (CONSUL_TAGGED.has(scheme) || scheme.startsWith("consul-")) continue;
      const endpoint = endpointOf(scheme, value);
      if (endpoint !== undefined) endpoints.push(endpoint);
    }
  }
  if (endpoints.length > 0) return endpoints;
  const nodeAddress = isObject(node) && typeof node.Address === "string" ? node.Address : "";
  const host = typeof service.Address === "string" && service.Address !== "" ? service.Address : nodeAddress;
  const port = service.Port;
  if (host !== "" && typeof port === "number" && Number.isInteger(port) && port > 0) {
    endpoints.push(`http://${joinHostPort(host, port)}`);
  }
  return endpoints;
}

function worstStatus(checks: unknown): number {
  if (!Array.isArray(checks)) return 0;
  let worst = 0;
  for (const check of checks) {
    const status = isObject(check) && typeof check.Status === "string" ? check.Status : "critical";
    worst = Math.max(worst, RANK[status] ?? RANK.critical!);
  }
  return worst;
}

function metadataOf(meta: unknown): Readonly<Record<string, string>> {
  const result: Record<string, string> = Object.create(null);
  if (isObject(meta)) {
    for (const [key, value] of Object.entries(meta)) if (typeof value === "string") result[key] = value;
  }
  return Object.freeze(result);
}

function versionOf(tags: unknown): string {
  let version = "";
  if (!Array.isArray(tags)) return version;
  for (const tag of tags) {
    if (typeof tag === "string" && tag.startsWith("version=")) version = tag.slice("version=".length);
  }
  return version;
}

/**
 * Maps a parsed health reply onto instances, keeping entries whose worst check is at most
 * `minimumHealth` and skipping (with a reason) entries without an id or a usable address.
 * Returns `undefined` when the reply is not a list at all.
 */
export function parseEntries(
  body: unknown,
  serviceName: string,
  minimumHealth: Health,
): ParsedEntries | undefined {
  if (!Array.isArray(body)) return undefined;
  const instances: ServiceInstance[] = [];
  const skipped: string[] = [];
  const unusable: string[] = [];
  const limit = RANK[minimumHealth]!;
  const seen = new Set<string>();
  body.forEach((entry: unknown, i) => {
    const service = isObject(entry) ? entry.Service : undefined;
    if (!isObject(entry) || !isObject(service) || typeof service.ID !== "string" || service.ID === "") {
      skipped.push(`entry #${i} of "${serviceName}" has no service id; it is skipped`);
      return;
    }
    if (worstStatus(entry.Checks) > limit) return;
    const id = service.ID;
    const endpoints = endpointsOf(service, entry.Node);
    if (endpoints.length === 0) {
      unusable.push(id);
      skipped.push(
        `instance "${id}" of "${serviceName}" has no usable address (no endpoint in TaggedAddresses, no Address and ` +
          "Port); it is skipped until it is registered with one",
      );
      return;
    }
    if (seen.has(id)) {
      skipped.push(
        `instance "${id}" of "${serviceName}" is registered twice (on two nodes); the first is kept`,
      );
      return;
    }
    seen.add(id);
    instances.push(
      Object.freeze({
        id,
        name: typeof service.Service === "string" && service.Service !== "" ? service.Service : serviceName,
        version: versionOf(service.Tags),
        metadata: metadataOf(service.Meta),
        endpoints: Object.freeze(endpoints),
      }),
    );
  });
  return { instances: Object.freeze(instances), skipped, unusable };
}
