import type { Clock } from "@switchyard/api";

/** A check status as Consul names it. */
export type ConsulCheckStatus = "passing" | "warning" | "critical";

/** What a token may do in the double: read the catalog, or read and write it. */
export type ConsulDoubleGrant = "read" | "write";

/**
 * ACL settings of the double, modelled on a Consul agent with ACLs enabled. A request's token
 * comes from the `X-Consul-Token` header, `Authorization: Bearer …`, or the `token` query
 * parameter; none (or an empty one) means the anonymous token.
 */
export interface ConsulDoubleAcl {
  /** The secret of every known token and what it may do. Unknown tokens get 403 "ACL not found". */
  readonly tokens: Readonly<Record<string, ConsulDoubleGrant>>;
  /**
   * What the anonymous token may do; default `"none"` (Consul's `default_policy = "deny"`):
   * reads are then filtered to nothing (`X-Consul-Results-Filtered-By-ACLs: true`), writes get 403.
   */
  readonly anonymous?: ConsulDoubleGrant | "none";
}

/** What {@link startConsulDouble} takes; every field is optional. */
export interface ConsulDoubleOptions {
  /**
   * Drives TTL expiry, the `DeregisterCriticalServiceAfter` reaper (every 30 s, as Consul's) and
   * the time a blocking query is held. Default: the process clock. Pass the fake clock from
   * `@switchyard/testkit` to drive all three from a test.
   */
  readonly clock?: Clock;
  /** Enables ACL checks; default: ACLs disabled (every request allowed, tokens ignored). */
  readonly acl?: ConsulDoubleAcl;
  /** The agent's datacenter; a `dc` other than it gets 500 "No path to datacenter". Default "dc1". */
  readonly datacenter?: string;
  /** The agent's node name; default "consul-double". */
  readonly nodeName?: string;
  /**
   * Behave as Consul Enterprise: `ns` and `partition` select separate keyspaces. Default false,
   * as the community edition, which answers 400 to any `ns` or `partition` parameter.
   */
  readonly enterprise?: boolean;
  /** Add Consul's random extra wait of up to wait/16 to blocking queries; default true. */
  readonly blockingJitter?: boolean;
  /** Uniform random source in [0, 1) for the jitter; default Math.random. */
  readonly random?: () => number;
  /** Port to listen on, on 127.0.0.1; default 0 (any free port). */
  readonly port?: number;
}

/**
 * A fault the double plays instead of (or before) its normal answer:
 * - `status`: answer with this status and a text body (Consul's errors are text/plain).
 * - `reply`: answer with exactly this status, body and headers (for odd but well-formed replies).
 * - `invalid-json`: 200 with a valid `X-Consul-Index` and a body that is not JSON.
 * - `truncated`: headers promise more bytes than are sent, then the connection closes.
 * - `reset`: the connection is destroyed before any answer.
 * - `hang`: no answer at all, until the client gives up or the double closes.
 * - `delay`: answer normally after `ms` on the double's clock.
 * - `index`: answer normally but with this `X-Consul-Index` (0 plays Consul's old zero-index bug).
 */
export type ConsulFault =
  | { readonly kind: "status"; readonly status: number; readonly body?: string }
  | {
      readonly kind: "reply";
      readonly status?: number;
      readonly body: string;
      readonly headers?: Readonly<Record<string, string>>;
    }
  | { readonly kind: "invalid-json" }
  | { readonly kind: "truncated" }
  | { readonly kind: "reset" }
  | { readonly kind: "hang" }
  | { readonly kind: "delay"; readonly ms: number }
  | { readonly kind: "index"; readonly index: number };

/** Which requests a fault applies to, and how many times. */
export interface ConsulFaultOptions {
  /** Number of matching requests that get the fault; default 1; `Infinity` until cleared. */
  readonly times?: number;
  /** Only requests whose path starts with this, such as "/v1/health/service/"; default any. */
  readonly path?: string;
  /** Only requests with this method; default any. */
  readonly method?: string;
}

/** How a recorded request ended. */
export type ConsulRequestOutcome = "answered" | "aborted" | "faulted";

/** One request the double received, for assertions. */
export interface ConsulRecordedRequest {
  readonly method: string;
  /** The decoded path, such as "/v1/health/service/api". */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Whether the request became a held blocking query. */
  readonly blocking: boolean;
  /** Settles when the request ends: answered, aborted by the client, or played a fault. */
  readonly outcome: Promise<ConsulRequestOutcome>;
}

/** One check as the double's agent holds it. */
export interface ConsulDoubleCheck {
  readonly checkId: string;
  readonly name: string;
  readonly status: ConsulCheckStatus;
  readonly output: string;
  readonly serviceId: string;
  /** "ttl", "http", "tcp", "grpc", … (only TTL checks change by themselves in the double). */
  readonly type: string;
  /** The check definition fields as registered (Go duration strings kept as sent). */
  readonly definition: Readonly<Record<string, unknown>>;
}
