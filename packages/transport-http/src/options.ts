import type { Clock, Discovery, Logger, NodeFilter, SelectorBuilder } from "@switchyard/api";
import type { BackoffOptions } from "@switchyard/selector-core";
import type { RetryBudgetOptions } from "./retry-budget.js";

/** TLS settings for `https` nodes. */
export interface TlsOptions {
  /** Trusted CA certificates (PEM). */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Client certificate and key, for mutual TLS (PEM). */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  /** Server name for SNI and certificate checks (nodes are dialled by address). */
  readonly servername?: string;
  /** Default true. */
  readonly rejectUnauthorized?: boolean;
}

/** Retries of idempotent requests on another node. */
export interface RetryOptions {
  /** Total attempts per request, first included (default 2). */
  readonly attempts?: number;
  /** Methods that may be retried (default GET, HEAD, OPTIONS, PUT, DELETE). */
  readonly methods?: readonly string[];
  /** Bounds retries to a share of the traffic. */
  readonly budget?: RetryBudgetOptions;
}

/** What `createClient` takes. */
export interface HttpClientOptions {
  /** `discovery:///<service>`, or `http(s)://host:port` for one fixed server with no discovery. */
  readonly endpoint: string;
  /** Where `discovery:///` endpoints find instances (registry-memory, registry-consul, …). */
  readonly discovery?: Discovery;
  /** Picks a node per request; default the global selector, else smooth weighted round robin. */
  readonly selector?: SelectorBuilder;
  /** Filters every request runs, before per-request ones (such as `version("2.0.0")`). */
  readonly filters?: readonly NodeFilter[];
  /**
   * Wait in `createClient` for the first non-empty instance list (`true`: up to 10 s). Without it,
   * requests made before the first list arrives fail with `NoAvailableNodeError`.
   */
  readonly block?: boolean | { readonly timeoutMs?: number };
  /** Nodes kept from the instance list, by deterministic subsetting (default 25; 0 keeps all). */
  readonly subsetSize?: number;
  /** This client's subset key (default random per client, so clients spread). */
  readonly subsetKey?: string;
  readonly tls?: TlsOptions;
  /** Connect timeout, ms (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** Time to the response headers, ms (default 300 s, undici's). */
  readonly headersTimeoutMs?: number;
  /** Idle time between body chunks, ms (default 300 s, undici's). */
  readonly bodyTimeoutMs?: number;
  /** Connections per node (default unlimited, undici's). */
  readonly connections?: number;
  /** Headers sent with every `client.request` (not added to raw dispatcher requests). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Retry idempotent requests on another node (off by default). `true` uses the defaults. */
  readonly retry?: boolean | RetryOptions;
  /** Retry delays of the registry watch. */
  readonly backoff?: BackoffOptions;
  readonly clock?: Clock;
  /** Where skipped registry entries, refused updates and retried watch errors are reported (default console). */
  readonly logger?: Logger;
}
