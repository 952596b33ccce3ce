// Decodes `PUT /v1/agent/service/register` bodies the way Consul does: field names match without
// regard to case or underscores ("TaggedAddresses", "tagged_addresses" and "taggedaddresses" are
// one field), map keys (Meta, TaggedAddresses) are kept as sent, and the service is validated
// with Consul's rules and messages before it is stored.
import { parseGoDuration } from "./duration.js";
import { validateMeta } from "./meta-rules.js";
import { HttpError } from "./reply.js";
import type { ConsulCheckStatus } from "./types.js";

/** A check of a service definition, decoded. */
export interface CheckDefinition {
  readonly checkId: string;
  readonly name: string;
  readonly type: string;
  readonly ttlMs: number | undefined;
  readonly deregisterAfterMs: number | undefined;
  readonly status: ConsulCheckStatus | undefined;
  readonly notes: string;
  readonly definition: Readonly<Record<string, unknown>>;
}

/** A service definition, decoded and validated. */
export interface ServiceDefinition {
  readonly id: string;
  readonly name: string;
  readonly tags: readonly string[];
  readonly address: string;
  readonly port: number;
  readonly meta: Readonly<Record<string, string>>;
  readonly taggedAddresses: Readonly<Record<string, { Address: string; Port: number }>>;
  readonly weights: { readonly Passing: number; readonly Warning: number };
  readonly enableTagOverride: boolean;
  readonly namespace: string | undefined;
  readonly partition: string | undefined;
  readonly checks: readonly CheckDefinition[];
}

type Fields = Map<string, unknown>;

const bad = (reason: string): HttpError => new HttpError(400, reason);
const decodeFailed = (what: string): HttpError => bad(`Request decode failed: ${what}`);

function fields(value: unknown, where: string): Fields {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw decodeFailed(`${where}: expected a map, got ${JSON.stringify(value)}`);
  }
  const result: Fields = new Map();
  for (const [key, item] of Object.entries(value)) result.set(key.toLowerCase().replaceAll("_", ""), item);
  return result;
}

function str(f: Fields, key: string, where: string): string {
  const value = f.get(key);
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw decodeFailed(`'${where}' expected type 'string', got ${typeof value}`);
  return value;
}

function int(f: Fields, key: string, where: string): number {
  const value = f.get(key);
  if (value === undefined || value === null) return 0;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw decodeFailed(`'${where}' expected type 'int', got ${JSON.stringify(value)}`);
  }
  return value;
}

function duration(f: Fields, key: string, where: string): number | undefined {
  const value = f.get(key);
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "number") return value / 1e6; // a Go time.Duration in nanoseconds
  const ms = typeof value === "string" ? parseGoDuration(value) : undefined;
  if (ms === undefined) throw decodeFailed(`'${where}' time: invalid duration ${JSON.stringify(value)}`);
  return ms;
}

function stringMap(value: unknown, where: string): Record<string, string> {
  const result: Record<string, string> = Object.create(null);
  if (value === undefined || value === null) return result;
  if (typeof value !== "object" || Array.isArray(value)) throw decodeFailed(`'${where}' expected a map`);
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== "string") throw decodeFailed(`'${where}[${key}]' expected type 'string'`);
    result[key] = item;
  }
  return result;
}

const ACTIVE = ["http", "tcp", "grpc", "udp", "h2ping", "args", "scriptargs", "osservice"];

function decodeCheck(raw: unknown, serviceId: string, serviceName: string, position: number, count: number) {
  const f = fields(raw, "Check");
  const ttlMs = duration(f, "ttl", "TTL");
  const intervalMs = duration(f, "interval", "Interval");
  const active = ACTIVE.find((key) => {
    const value = f.get(key);
    return (
      value !== undefined && value !== null && value !== "" && !(Array.isArray(value) && value.length === 0)
    );
  });
  const invalid = (why: string): never => {
    throw bad(`Invalid check: ${why}`);
  };
  if ((intervalMs ?? 0) > 0 && (ttlMs ?? 0) > 0) invalid("Interval and TTL cannot both be specified");
  if (active !== undefined && !((intervalMs ?? 0) > 0)) {
    invalid("Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks");
  }
  if (active === undefined && !((ttlMs ?? 0) > 0)) invalid("TTL must be > 0 for TTL checks");
  const status = str(f, "status", "Status");
  if (status !== "" && status !== "passing" && status !== "warning" && status !== "critical") {
    throw bad("Status for checks must 'passing', 'warning', 'critical'");
  }
  const given = str(f, "checkid", "CheckID") || str(f, "id", "ID");
  const definition: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw as object)) definition[key] = value;
  return {
    checkId: given || (count > 1 ? `service:${serviceId}:${position + 1}` : `service:${serviceId}`),
    name: str(f, "name", "Name") || `Service '${serviceName}' check`,
    type: active === undefined ? "ttl" : active === "args" || active === "scriptargs" ? "script" : active,
    ttlMs,
    deregisterAfterMs: duration(f, "deregistercriticalserviceafter", "DeregisterCriticalServiceAfter"),
    status: status === "" ? undefined : (status as ConsulCheckStatus),
    notes: str(f, "notes", "Notes"),
    definition,
  } satisfies CheckDefinition;
}

function decodeTaggedAddresses(value: unknown): Record<string, { Address: string; Port: number }> {
  const result: Record<string, { Address: string; Port: number }> = Object.create(null);
  if (value === undefined || value === null) return result;
  if (typeof value !== "object" || Array.isArray(value))
    throw decodeFailed("'TaggedAddresses' expected a map");
  for (const [key, item] of Object.entries(value)) {
    const f = fields(item, `TaggedAddresses[${key}]`);
    result[key] = { Address: str(f, "address", "Address"), Port: int(f, "port", "Port") };
  }
  return result;
}

/** Decodes and validates a service definition; throws {@link HttpError} 400 as Consul would. */
export function decodeServiceDefinition(text: string): ServiceDefinition {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw decodeFailed((error as Error).message);
  }
  const f = fields(raw, "body");
  const name = str(f, "name", "Name");
  if (name === "") throw bad("Missing service name");
  const id = str(f, "id", "ID") || name;
  const address = str(f, "address", "Address");
  if (address === "0.0.0.0" || address === "::" || address === "[::]") throw bad("Invalid service address");
  const tags = f.get("tags") ?? [];
  if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== "string")) {
    throw decodeFailed("'Tags' expected a list of strings");
  }
  const meta = stringMap(f.get("meta"), "Meta");
  validateMeta(meta);
  const weights =
    f.has("weights") && f.get("weights") !== null ? fields(f.get("weights"), "Weights") : undefined;
  const passing = weights === undefined ? 1 : int(weights, "passing", "Weights.Passing");
  const warning = weights === undefined ? 1 : int(weights, "warning", "Weights.Warning");
  if (weights !== undefined && passing < 1) throw bad("Invalid Weights: Passing must be greater than 0");
  const rawChecks: unknown[] = [];
  if (f.get("check") !== undefined && f.get("check") !== null) rawChecks.push(f.get("check"));
  const list = f.get("checks");
  if (Array.isArray(list)) rawChecks.push(...list);
  else if (list !== undefined && list !== null) throw decodeFailed("'Checks' expected a list");
  return {
    id,
    name,
    tags: tags as string[],
    address,
    port: int(f, "port", "Port"),
    meta,
    taggedAddresses: decodeTaggedAddresses(f.get("taggedaddresses")),
    weights: { Passing: passing, Warning: warning },
    enableTagOverride: f.get("enabletagoverride") === true,
    namespace: str(f, "namespace", "Namespace") || undefined,
    partition: str(f, "partition", "Partition") || undefined,
    checks: rawChecks.map((check, i) => decodeCheck(check, id, name, i, rawChecks.length)),
  };
}
