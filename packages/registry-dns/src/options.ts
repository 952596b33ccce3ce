import type { Clock, Logger } from "@switchyard/api";
import type { BackoffOptions } from "@switchyard/kit";
import type { DnsServiceTarget } from "./target.js";

/** A service's DNS name: a string (`"_grpc._tcp.api.default.svc.cluster.local"`, `"api.internal:8080"`) or `{ name, scheme }`. */
export type DnsTarget = string | DnsServiceTarget;

/**
 * How service names (what `watch("api")` and `discovery:///api` say) map to DNS names: a record
 * (`{ api: "_grpc._tcp.api.default.svc.cluster.local" }`), or a function for a whole namespace
 * (`(service) => \`_grpc._tcp.${service}.default.svc.cluster.local\``) that returns `undefined` for
 * names it does not know.
 */
export type DnsServices =
  | Readonly<Record<string, DnsTarget>>
  | ((serviceName: string) => DnsTarget | undefined);

/**
 * Retry delays after a failed resolution: kit's `BackoffOptions` (`initialMs`, `maxMs`,
 * `multiplier`, `jitter`, `random`; default 1 s, ×1.6, at most 30 s, 20 % jitter), the one backoff
 * every Switchyard component takes.
 */
export type DnsBackoffOptions = BackoffOptions;

/** What `createDnsDiscovery` takes; every field is optional. */
export interface DnsDiscoveryOptions {
  /**
   * Maps service names to DNS names. A service that is not listed (or for which the function
   * returns `undefined`) is looked up by its own name, which must then be a DNS name this
   * package reads: an SRV name or a name with a port. Default: none, every service by its name.
   */
  readonly services?: DnsServices;
  /**
   * The DNS servers to ask, in order: `"10.96.0.10"`, `"10.96.0.10:53"`, `"::1"`,
   * `"[fd00::10]:5353"`. Default: the system's (`/etc/resolv.conf`, as `dns.getServers()` reads it).
   */
  readonly servers?: string | readonly string[];
  /** Which address records to read: 4 (A), 6 (AAAA) or 0 (both). Default 0. */
  readonly family?: 0 | 4 | 6;
  /** The shortest time between two resolutions of a watched service, ms, whatever the TTL. Default 1000. */
  readonly minIntervalMs?: number;
  /** The longest time between two resolutions of a watched service, ms, whatever the TTL. Default 30 000. */
  readonly maxIntervalMs?: number;
  /** How long one server may take to answer one query, ms. Default 2000. */
  readonly timeoutMs?: number;
  /** How many times the list of servers is tried for one query. Default 2. */
  readonly attempts?: number;
  /** Retry delays after a failed resolution (the last good list keeps serving meanwhile). */
  readonly backoff?: DnsBackoffOptions;
  /** Receives failed resolutions as `warn` and each resolution as `debug`. Default `console`. */
  readonly logger?: Logger;
  /** The time source of the refresh schedule, backoff and query timeouts. Default the system clock. */
  readonly clock?: Clock;
}
