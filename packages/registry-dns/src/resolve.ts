import type { ServiceInstance } from "@switchyard/api";
import type { DnsClient } from "./client.js";
import {
  type DnsRecord,
  type DnsReply,
  type QueryType,
  TYPE_A,
  TYPE_AAAA,
  TYPE_CNAME,
  TYPE_SOA,
  TYPE_SRV,
} from "./message.js";
import type { Target } from "./target.js";

/** Which address records to use: both (0), A only (4), AAAA only (6). */
export type Family = 0 | 4 | 6;

/** The instances a target gives now, and how long that answer holds. */
export interface Resolution {
  readonly instances: readonly ServiceInstance[];
  /**
   * The smallest TTL of the records read, in seconds; for "no such name" the negative-caching TTL
   * of the zone's SOA (RFC 2308). Undefined when the answer carried no TTL at all.
   */
  readonly ttl: number | undefined;
}

type SrvRecord = Extract<DnsRecord, { type: typeof TYPE_SRV }>;
type AddressRecord = Extract<DnsRecord, { type: typeof TYPE_A | typeof TYPE_AAAA }>;

/** How many target lookups of one SRV answer run at once. */
const TARGET_CONCURRENCY = 16;

/** Runs `work` over `items` with at most `limit` running at once; results in the order of `items`. */
async function pooled<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        results[i] = await work(items[i]!);
      } catch (error) {
        failed = true; // the others start nothing new: the answer is lost anyway
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/** The instances of one answer by id (address and port); the first of a duplicate stays. */
class InstanceSet {
  private readonly byId = new Map<string, ServiceInstance>();
  private readonly service: string;
  private readonly scheme: string;

  constructor(service: string, scheme: string) {
    this.service = service;
    this.scheme = scheme;
  }

  get size(): number {
    return this.byId.size;
  }

  add(address: string, port: number, metadata: Readonly<Record<string, string>>): void {
    const id = address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
    if (this.byId.has(id)) return;
    this.byId.set(
      id,
      Object.freeze({
        id,
        name: this.service,
        version: "",
        metadata: Object.freeze(Object.assign(Object.create(null) as Record<string, string>, metadata)),
        endpoints: Object.freeze([`${this.scheme}://${id}`]),
      }),
    );
  }

  /** In id order, so that equal answers give equal lists whatever order the server used. */
  list(): readonly ServiceInstance[] {
    const ids = [...this.byId.keys()].sort();
    return Object.freeze(ids.map((id) => this.byId.get(id)!));
  }
}

/** One resolution: the queries it makes, and the smallest TTL of what they read. */
class Lookup {
  ttl: number | undefined = undefined;
  private readonly client: DnsClient;
  private readonly family: Family;
  private readonly signal: AbortSignal | undefined;

  constructor(client: DnsClient, family: Family, signal: AbortSignal | undefined) {
    this.client = client;
    this.family = family;
    this.signal = signal;
  }

  query(name: string, type: QueryType): Promise<DnsReply> {
    return this.client.query(name, type, this.signal);
  }

  /** The records of the answer owned by `name` or by a name its CNAME chain there leads to. */
  answered<T extends DnsRecord>(reply: DnsReply, name: string, type: QueryType): T[] {
    const names = new Set([name]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const record of reply.answers) {
        if (record.type === TYPE_CNAME && names.has(record.name) && !names.has(record.target)) {
          names.add(record.target);
          this.see(record.ttl);
          grew = true;
        }
      }
    }
    const records = reply.answers.filter((r): r is T => r.type === type && names.has(r.name));
    for (const record of records) this.see(record.ttl);
    // An empty answer holds for the negative-caching TTL of the zone's SOA (RFC 2308).
    if (records.length === 0) {
      for (const record of reply.authority) {
        if (record.type === TYPE_SOA) this.see(Math.min(record.ttl, record.minimum));
      }
    }
    return records;
  }

  /** The addresses of `name`: its A and/or AAAA records, asked for in parallel. */
  async addresses(name: string): Promise<string[]> {
    const types: QueryType[] =
      this.family === 4 ? [TYPE_A] : this.family === 6 ? [TYPE_AAAA] : [TYPE_A, TYPE_AAAA];
    const replies = await Promise.all(types.map((type) => this.query(name, type)));
    return replies.flatMap((reply, i) =>
      this.answered<AddressRecord>(reply, name, types[i]!).map((record) => record.address),
    );
  }

  /**
   * The addresses of an SRV target: from the additional section of the SRV reply when the server
   * put them there (CoreDNS does for headless Services), else asked for.
   */
  async targetAddresses(reply: DnsReply, target: string): Promise<string[]> {
    const family = this.family;
    const given = reply.additional.filter(
      (record): record is AddressRecord =>
        record.name === target &&
        ((record.type === TYPE_A && family !== 6) || (record.type === TYPE_AAAA && family !== 4)),
    );
    if (given.length === 0) return this.addresses(target);
    for (const record of given) this.see(record.ttl);
    return given.map((record) => record.address);
  }

  private see(ttl: number): void {
    if (this.ttl === undefined || ttl < this.ttl) this.ttl = ttl;
  }
}

/** SRV: one instance per address and port of the lowest priority class that has any address. */
async function srvInstances(lookup: Lookup, target: Target, found: InstanceSet): Promise<void> {
  const reply = await lookup.query(target.name, TYPE_SRV);
  // A target of "." (the root) says the service is not offered at this name (RFC 2782).
  const records = lookup
    .answered<SrvRecord>(reply, target.name, TYPE_SRV)
    .filter((record) => record.target !== "")
    .sort((a, b) => a.priority - b.priority || a.target.localeCompare(b.target) || a.port - b.port);
  for (let from = 0; from < records.length && found.size === 0; ) {
    const priority = records[from]!.priority;
    let to = from;
    while (to < records.length && records[to]!.priority === priority) to++;
    const group = records.slice(from, to);
    from = to;
    const addresses = await pooled(group, TARGET_CONCURRENCY, (record) =>
      lookup.targetAddresses(reply, record.target),
    );
    group.forEach((record, i) => {
      const metadata = { weight: String(record.weight), priority: String(priority), target: record.target };
      for (const address of addresses[i]!) found.add(address, record.port, metadata);
    });
  }
}

/**
 * Resolves a target once: the instances its records give now and the TTL of that answer. "No such
 * name" and "no records of that type" are answers (no instances); a server that cannot answer is an
 * error.
 * @throws RegistryError when no server answered one of the queries; the signal's reason on abort.
 */
export async function resolveTarget(
  client: DnsClient,
  target: Target,
  service: string,
  family: Family,
  signal: AbortSignal | undefined,
): Promise<Resolution> {
  const lookup = new Lookup(client, family, signal);
  const found = new InstanceSet(service, target.scheme);
  if (target.kind === "srv") {
    await srvInstances(lookup, target, found);
  } else {
    for (const address of await lookup.addresses(target.name)) found.add(address, target.port, {});
  }
  return { instances: found.list(), ttl: lookup.ttl };
}
