import type { Clock, Logger, RegistryError } from "@switchyard/api";
import type { BackoffOptions } from "@switchyard/kit";
import type { Dispatcher } from "undici";

/** TLS settings for an `https://` agent address. */
export interface ConsulTlsOptions {
  /** CA certificate(s) (PEM) the agent's certificate must chain to; default Node's bundled roots. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Client certificate (PEM), for agents with `verify_incoming`. */
  readonly cert?: string | Buffer;
  /** Client private key (PEM). */
  readonly key?: string | Buffer;
  /** Name to verify the agent's certificate against, when it differs from the address host. */
  readonly servername?: string;
  /** Verify the agent's certificate; default true. */
  readonly rejectUnauthorized?: boolean;
}

/** The TTL check the registrar keeps passing for each registered instance. */
export interface ConsulHeartbeatOptions {
  /** The check's TTL: Consul marks the instance critical when no pass arrives for this long. Default 30 000. */
  readonly ttlMs?: number;
  /** How often the check is passed; at most half the TTL. Default a third of `ttlMs`. */
  readonly intervalMs?: number;
}

/** An active check that the Consul agent runs against the instance. */
export interface ConsulServiceCheck {
  /** `tcp` connects, `http` expects a 2xx, `grpc` calls the standard gRPC health service. */
  readonly type: "tcp" | "http" | "grpc";
  /** How often the agent runs it; default 10 000, at least 1000 (Consul's minimum). */
  readonly intervalMs?: number;
  /** How long one run may take; default 5000. */
  readonly timeoutMs?: number;
  /** `http` only: the path to GET on the instance's http(s) endpoint; default "/". */
  readonly path?: string;
  /** `grpc` only: the service name to ask the health service about; default the whole server. */
  readonly grpcService?: string;
  /**
   * What to check instead of what is derived from the endpoints: `host:port` for tcp and grpc,
   * a URL for http.
   */
  readonly target?: string;
}

/** How quickly a watch may issue blocking queries when results keep changing (a token bucket). */
export interface ConsulRateLimit {
  /** Queries allowed back to back; default 2. */
  readonly burst?: number;
  /** One more query is allowed per this many ms; default 1000. */
  readonly intervalMs?: number;
}

/**
 * Retry delays of watches after a failed query: kit's `BackoffOptions` (`DEFAULT_BACKOFF`: 1 s,
 * ×1.6, at most 30 s, 20 % jitter), the one backoff every Switchyard component takes. Its `random`
 * defaults to the registry's `random`.
 */
export type ConsulBackoffOptions = BackoffOptions;

/** What a reported error was doing. */
export type ConsulOperation = "register" | "deregister" | "heartbeat" | "getService" | "watch";

/** Where an error passed to `onError` happened. */
export interface ConsulErrorContext {
  readonly operation: ConsulOperation;
  readonly serviceName: string;
  readonly instanceId?: string;
  /** When the failed work is retried, in ms from now (watches and heartbeats). */
  readonly retryInMs?: number;
}

/** The part of a `fetch` Response the registry reads. */
export interface ConsulFetchResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** What the registry passes to a custom `fetch`. `dispatcher` is set only when one is configured. */
export interface ConsulFetchInit {
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly signal: AbortSignal;
  readonly dispatcher?: Dispatcher;
}

/** A `fetch`-compatible function (the global `fetch` and undici's both fit). */
export type ConsulFetch = (url: string, init: ConsulFetchInit) => Promise<ConsulFetchResponse>;

/** What `createConsulRegistry` takes; every field is optional. */
export interface ConsulRegistryOptions {
  /**
   * The agent: `host:port`, `http(s)://host:port` or `unix:///path/to.sock`. Default
   * `CONSUL_HTTP_ADDR`, else `127.0.0.1:8500`; `CONSUL_HTTP_SSL=true` makes a bare address https.
   */
  readonly address?: string;
  /** ACL token, sent as `X-Consul-Token` and never logged. Default `CONSUL_HTTP_TOKEN` (or `_FILE`). */
  readonly token?: string;
  /** Datacenter to discover in; default the agent's own. */
  readonly datacenter?: string;
  /** Consul Enterprise namespace (`ns`); default `CONSUL_NAMESPACE`, else none. */
  readonly namespace?: string;
  /** Consul Enterprise admin partition; default `CONSUL_PARTITION`, else none. */
  readonly partition?: string;
  /** TLS for https; default from `CONSUL_CACERT`, `CONSUL_CLIENT_CERT`, `CONSUL_CLIENT_KEY`, `CONSUL_TLS_SERVER_NAME`. */
  readonly tls?: ConsulTlsOptions;
  /** Timeout of each request, added to `waitMs` for blocking queries; default 10 000. */
  readonly requestTimeoutMs?: number;
  /** Custom fetch; default undici's `fetch` with the registry's own connection pool. */
  readonly fetch?: ConsulFetch;
  /** undici dispatcher to send requests through (passed to `fetch` as `dispatcher`). */
  readonly dispatcher?: Dispatcher;
  /** Time source for timeouts, heartbeats, backoff and rate limits; default the system clock. */
  readonly clock?: Clock;
  /** Receives retried errors and skipped entries; default `console`. Never sees the token. */
  readonly logger?: Logger;
  /** Receives every error the registry handles by itself (watch retries, heartbeat failures, bad entries). */
  readonly onError?: (error: RegistryError, context: ConsulErrorContext) => void;
  /** Environment to read defaults from; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Tags added after `version=<version>` on every registration. */
  readonly tags?: readonly string[];
  /** TTL heartbeat per registered instance; default on (TTL 30 s, passed every 10 s); `false` disables. */
  readonly heartbeat?: boolean | ConsulHeartbeatOptions;
  /** An active check the agent runs against each registered instance; default none. */
  readonly check?: ConsulServiceCheck;
  /**
   * Consul removes an instance whose checks stay critical this long; default 600 000 (10 min, as
   * Kratos); at least 60 000 (Consul's minimum); `false` never removes it.
   */
  readonly deregisterCriticalServiceAfterMs?: number | false;
  /** Worst check status an instance may have and still be discovered; default `"passing"`. */
  readonly minimumHealth?: "passing" | "warning" | "critical";
  /** How long a blocking query waits for a change (Consul's `wait`); default 55 000, at most 600 000. */
  readonly waitMs?: number;
  /** Rate limit of a watch's queries; default a burst of 2, then one per second. */
  readonly rateLimit?: ConsulRateLimit;
  /** Retry delays of watches after errors. */
  readonly backoff?: ConsulBackoffOptions;
  /**
   * Uniform random source in [0, 1) for jitter (of retries and rate-limit waits); default
   * Math.random. A bad draw (out of range, NaN, a throw) is repaired and reported once.
   */
  readonly random?: () => number;
}
