import type { Clock, Logger } from "@switchyard/api";
import type { BackoffOptions } from "@switchyard/kit";
import type { Etcd3 } from "etcd3";

/** TLS settings for `https://` endpoints. */
export interface EtcdTlsOptions {
  /** CA certificate(s) (PEM) the server's certificate must chain to; default Node's root store. */
  readonly ca?: string | Buffer;
  /** Client certificate (PEM), for an etcd started with `--client-cert-auth`; needs `key`. */
  readonly cert?: string | Buffer;
  /** Client private key (PEM); needs `cert`. */
  readonly key?: string | Buffer;
  /** Name to check the server's certificate against, when it differs from the endpoint's host. */
  readonly servername?: string;
}

/** etcd's user/password authentication. The password is sent to etcd only, never logged. */
export interface EtcdAuthOptions {
  readonly username: string;
  readonly password: string;
}

/**
 * Retry delays of watches and of re-registration after a lost lease: kit's `BackoffOptions`
 * (`DEFAULT_BACKOFF`: 1 s, ×1.6, at most 30 s, 20 % jitter), the one backoff every Switchyard
 * component takes. Its `random` defaults to the registry's `random`.
 */
export type EtcdBackoffOptions = BackoffOptions;

/** What `createEtcdRegistry` takes; every field is optional. */
export interface EtcdRegistryOptions {
  /**
   * etcd's client URLs: `http://host:port`, `https://host:port` or `host:port` (http, or https
   * when `tls` is set). Default `127.0.0.1:2379`. Either all https or none.
   */
  readonly endpoints?: string | readonly string[];
  /** User and password, for an etcd with authentication enabled. Default none. */
  readonly auth?: EtcdAuthOptions;
  /** TLS for https endpoints (custom CA, client certificate). Default Node's roots, no client cert. */
  readonly tls?: EtcdTlsOptions;
  /**
   * The key prefix instances live under, as `<namespace>/<service>/<instance id>`. Default
   * `/microservices`, the one Kratos's etcd registry uses, so Go and Node services see each other.
   */
  readonly namespace?: string;
  /**
   * Time-to-live of each registered instance's lease, ms: when the process dies, etcd removes
   * the instance this long after the last keep-alive. etcd counts whole seconds (this is rounded
   * up) and at least 1 s; etcd 3.4 raises very short TTLs to about 2 s. Default 15 000 (Kratos).
   */
  readonly leaseTtlMs?: number;
  /**
   * How long opening a watch (connecting, and etcd confirming the watch) may take before the
   * attempt is dropped and retried with backoff, ms. Default 5000.
   */
  readonly dialTimeoutMs?: number;
  /** Deadline of each request (read, put, delete, lease grant and revoke), ms. Default 10 000. */
  readonly requestTimeoutMs?: number;
  /**
   * An etcd3 client to use instead of creating one; then `endpoints`, `auth`, `tls` must be left
   * out, and `close()` leaves the client open (it is yours).
   */
  readonly client?: Etcd3;
  /** Receives skipped entries, retried watches and re-registrations; default `console`. */
  readonly logger?: Logger;
  /** Time source of backoff and dial timeouts; default the system clock (unref'd timers). */
  readonly clock?: Clock;
  /** Retry delays of watches and re-registrations. */
  readonly backoff?: EtcdBackoffOptions;
  /**
   * Uniform random source in [0, 1) for jitter; default Math.random. A bad draw (out of range,
   * NaN, a throw) is repaired and reported once, never stopping a retry.
   */
  readonly random?: () => number;
}
