import { getServers } from "node:dns";
import { isIP } from "node:net";
import { type Clock, InvalidArgumentError, type Logger } from "@switchyard/api";
import { type BackoffSettings, checkBackoff, checkClock, checkLogger } from "@switchyard/kit";
import type { ClientSettings } from "./client.js";
import type { DnsServer } from "./exchange.js";
import type { DnsDiscoveryOptions } from "./options.js";
import type { Family } from "./resolve.js";
import { parseTarget, type Target } from "./target.js";

/** The options of `createDnsDiscovery`, checked, with defaults filled in. */
export interface Settings extends ClientSettings {
  /** The target of a service name, or undefined when the services option does not name it. */
  readonly lookup: (serviceName: string) => unknown;
  /** Whether `lookup` is the user's function (whose throws and results are checked per call). */
  readonly lookupIsFunction: boolean;
  readonly targets: ReadonlyMap<string, Target>;
  readonly family: Family;
  readonly minIntervalMs: number;
  readonly maxIntervalMs: number;
  readonly backoff: BackoffSettings;
  readonly logger: Logger;
  readonly clock: Clock;
}

export const WHERE = "dns: createDnsDiscovery";

function fail(message: string): never {
  throw new InvalidArgumentError(`${WHERE}: ${message}`);
}

function positive(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    fail(`${name} must be a positive number of milliseconds, got ${String(value)}`);
  }
  return value;
}

/** Reads `10.0.0.1`, `10.0.0.1:53`, `::1`, `[::1]` or `[::1]:53`. */
export function parseServer(text: unknown, where: string): DnsServer {
  const bad = (why: string): never => {
    throw new InvalidArgumentError(
      `${where}: ${JSON.stringify(text)} ${why}; write a server as "10.96.0.10", "10.96.0.10:53", "::1" or "[fd00::10]:53"`,
    );
  };
  if (typeof text !== "string") return bad("is not a string");
  let host = text;
  let portText = "53";
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed !== null) {
    host = bracketed[1]!;
    portText = bracketed[2] ?? portText;
  } else if (isIP(text) === 0 && text.includes(":")) {
    const colon = text.lastIndexOf(":");
    [host, portText] = [text.slice(0, colon), text.slice(colon + 1)];
  }
  const family = isIP(host);
  if (family === 0) bad("is not an IP address (a DNS server cannot be given by name)");
  if (bracketed !== null && family !== 6) bad("has brackets around an address that is not IPv6");
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : 0;
  if (port < 1 || port > 65535) bad("has no valid port (1 to 65535)");
  const label = family === 6 ? `[${host}]:${port}` : `${host}:${port}`;
  return { host, port, family: family as 4 | 6, label };
}

function checkServers(value: DnsDiscoveryOptions["servers"]): DnsServer[] {
  const list = value === undefined ? getServers() : typeof value === "string" ? [value] : value;
  if (!Array.isArray(list)) fail(`servers must be a string or an array of strings, got ${String(value)}`);
  if (list.length === 0) {
    fail(
      value === undefined
        ? 'the system has no DNS server configured (/etc/resolv.conf); pass servers, such as ["10.96.0.10"]'
        : "servers is empty; give at least one, or leave it out for the system's",
    );
  }
  return list.map((server, i) => parseServer(server, `${WHERE}: servers[${i}]`));
}

function checkServices(
  value: DnsDiscoveryOptions["services"],
): Pick<Settings, "lookup" | "lookupIsFunction" | "targets"> {
  const targets = new Map<string, Target>();
  if (value === undefined) return { lookup: () => undefined, lookupIsFunction: false, targets };
  if (typeof value === "function") return { lookup: value, lookupIsFunction: true, targets };
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(
      `services must map service names to DNS names, such as { api: "_grpc._tcp.api.default.svc.cluster.local" }, or be a function; got ${Array.isArray(value) ? "an array" : String(value)}`,
    );
  }
  for (const [service, target] of Object.entries(value)) {
    if (service === "") fail("services has an empty service name");
    targets.set(service, parseTarget(target, `${WHERE}: services[${JSON.stringify(service)}]`));
  }
  return { lookup: (service) => targets.get(service), lookupIsFunction: false, targets };
}

/**
 * Checks the options and fills in defaults.
 * @throws InvalidArgumentError naming the first bad option.
 */
export function resolveSettings(options: DnsDiscoveryOptions): Settings {
  if (typeof options !== "object" || options === null)
    fail(`options must be an object, got ${String(options)}`);
  const family = options.family ?? 0;
  if (family !== 0 && family !== 4 && family !== 6) fail(`family must be 0, 4 or 6, got ${String(family)}`);
  const minIntervalMs = positive(options.minIntervalMs, "minIntervalMs", 1000);
  const maxIntervalMs = positive(options.maxIntervalMs, "maxIntervalMs", Math.max(30_000, minIntervalMs));
  if (minIntervalMs > maxIntervalMs) {
    fail(`minIntervalMs (${minIntervalMs}) must not exceed maxIntervalMs (${maxIntervalMs})`);
  }
  const attempts = options.attempts ?? 2;
  if (!Number.isInteger(attempts) || attempts < 1)
    fail(`attempts must be a whole number ≥ 1, got ${String(attempts)}`);
  return {
    ...checkServices(options.services),
    servers: checkServers(options.servers),
    timeoutMs: positive(options.timeoutMs, "timeoutMs", 2000),
    attempts,
    family,
    minIntervalMs,
    maxIntervalMs,
    backoff: checkBackoff(options.backoff, { where: WHERE, name: "backoff" }),
    logger: checkLogger(options.logger, WHERE),
    clock: checkClock(options.clock, WHERE),
  };
}
