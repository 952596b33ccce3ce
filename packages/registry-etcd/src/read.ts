import type { ServiceInstance } from "@switchyard/api";
import type { Etcd3, IKeyValue } from "etcd3";
import { decodeInstance } from "./codec.js";
import type { ServiceRange } from "./layout.js";

/** One service as read at one revision: its instances in key order, and the entries left out. */
export interface ServiceRead {
  /** Instance by key, in key order. */
  readonly entries: Map<string, ServiceInstance>;
  /** Why each entry that is not an instance was left out, by key. */
  readonly skipped: Map<string, string>;
  /** The store revision the read reflects. */
  readonly revision: bigint;
}

/**
 * Decodes one key-value pair of a service's range into `entries` or `skipped`. Returns the key.
 */
export function decodeEntry(
  kv: IKeyValue,
  range: ServiceRange,
  service: string,
  entries: Map<string, ServiceInstance>,
  skipped: Map<string, string>,
): string {
  const key = kv.key.toString("utf8");
  const decoded = decodeInstance(kv.value, service, key.slice(range.prefix.length));
  if (typeof decoded === "string") {
    entries.delete(key);
    skipped.set(key, decoded);
  } else {
    skipped.delete(key);
    entries.set(key, decoded);
  }
  return key;
}

/**
 * Reads every key under the service's prefix (a linearizable read) and decodes it.
 * @throws what etcd3 throws: the caller wraps it.
 */
export async function readService(
  client: Etcd3,
  range: ServiceRange,
  service: string,
  deadline: number,
): Promise<ServiceRead> {
  const response = await client.kv.range({ key: range.key, range_end: range.end }, { deadline });
  const entries = new Map<string, ServiceInstance>();
  const skipped = new Map<string, string>();
  for (const kv of response.kvs) decodeEntry(kv, range, service, entries, skipped);
  return { entries, skipped, revision: BigInt(response.header.revision) };
}
