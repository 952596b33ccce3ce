import type { Clock } from "@switchyard/api";

/** A Kubernetes object as JSON: `apiVersion`, `kind`, `metadata` and whatever else its kind holds. */
export interface KubeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: KubeObjectMeta;
  readonly [field: string]: unknown;
}

/** The `metadata` of an object; the double fills in `uid`, `resourceVersion` and `creationTimestamp`. */
export interface KubeObjectMeta {
  readonly name?: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly creationTimestamp?: string;
  readonly deletionTimestamp?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly [field: string]: unknown;
}

/** The kinds the double stores: discovery.k8s.io/v1 EndpointSlices and v1 Pods. */
export type KubernetesKind = "EndpointSlice" | "Pod";

/** A verb of Kubernetes RBAC, as the double checks it. */
export type KubernetesVerb = "get" | "list" | "watch" | "create" | "update" | "delete";

/** One RBAC rule: these verbs on these resources (`"*"` for any), in these namespaces (default all). */
export interface KubernetesDoubleRule {
  readonly verbs: readonly (KubernetesVerb | "*")[];
  /** `"endpointslices"`, `"pods"`, `"pods/status"` or `"*"`. */
  readonly resources: readonly string[];
  readonly namespaces?: readonly string[];
}

/**
 * A user the double knows: by bearer token, or by the client certificate of
 * `KUBERNETES_DOUBLE_CLIENT` (its user is `switchyard-client`). Rules default to everything.
 */
export interface KubernetesDoubleUser {
  readonly name: string;
  readonly token?: string;
  readonly rules?: readonly KubernetesDoubleRule[];
}

/** What {@link startKubernetesDouble} takes; every field is optional. */
export interface KubernetesDoubleOptions {
  /**
   * Turns authentication on: a request must carry the bearer token of one of these users (or the
   * double's client certificate, when `tls` is on and a user is named `switchyard-client`),
   * else 401 `Unauthorized`; a user's request outside its rules gets 403 `Forbidden`. Default:
   * no authentication, everything allowed.
   */
  readonly users?: readonly KubernetesDoubleUser[];
  /** Serve HTTPS with the double's own certificate (`ca` on the double); default false (HTTP). */
  readonly tls?: boolean;
  /**
   * Drives watch timeouts (`timeoutSeconds`), periodic bookmarks, `delay` faults and object ages.
   * Default: the process clock.
   */
  readonly clock?: Clock;
  /** How often watches that allow bookmarks get one; default 60 000 (the API server's minute). */
  readonly bookmarkIntervalMs?: number;
  /** Port to listen on, on 127.0.0.1; default 0 (any free port). */
  readonly port?: number;
}

/**
 * A fault the double plays instead of (or before) its normal answer:
 * - `status`: a `Status` object with this code, reason and message (as the API server sends them).
 * - `reply`: exactly this status, body and headers.
 * - `reset`: the connection is destroyed before any answer.
 * - `hang`: no answer at all, until the client gives up or the double closes.
 * - `delay`: answer normally after `ms` on the double's clock.
 * - `drop-after`: a watch sends `events` events (after its initial ones), then its connection is
 *   destroyed mid-stream; other requests answer normally.
 * - `expired`: a watch answers 200, then an `ERROR` event with a 410 `Expired` Status; a list
 *   answers 410 `Expired` (as for a continue token that is too old).
 */
export type KubernetesFault =
  | { readonly kind: "status"; readonly code: number; readonly reason?: string; readonly message?: string }
  | {
      readonly kind: "reply";
      readonly status?: number;
      readonly body: string;
      readonly headers?: Readonly<Record<string, string>>;
    }
  | { readonly kind: "reset" }
  | { readonly kind: "hang" }
  | { readonly kind: "delay"; readonly ms: number }
  | { readonly kind: "drop-after"; readonly events: number }
  | { readonly kind: "expired" };

/** Which requests a fault applies to, and how many times. */
export interface KubernetesFaultOptions {
  /** Number of matching requests that get the fault; default 1; `Infinity` until cleared. */
  readonly times?: number;
  /** Only requests whose path starts with this; default any. */
  readonly path?: string;
  /** Only requests with this method; default any. */
  readonly method?: string;
  /** Only watch requests (`true`) or only the others (`false`); default both. */
  readonly watch?: boolean;
}

/** How a recorded request ended. */
export type KubernetesRequestOutcome = "answered" | "aborted" | "faulted";

/** One request the double received, for assertions. */
export interface KubernetesRecordedRequest {
  readonly method: string;
  /** The decoded path, such as "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices". */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Whether it is a watch (`?watch=1`). */
  readonly watch: boolean;
  /** Settles when the request ends: answered, aborted by the client, or played a fault. */
  readonly outcome: Promise<KubernetesRequestOutcome>;
}
