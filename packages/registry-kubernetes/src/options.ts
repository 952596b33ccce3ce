import type { Clock, Logger, RegistryError } from "@switchyard/api";
import type { BackoffOptions } from "@switchyard/kit";

/**
 * Retry delays after a failed list or watch: kit's `BackoffOptions` (`DEFAULT_BACKOFF`: 1 s,
 * growing by 1.6 up to 30 s, each shortened by up to 20 % at random; `random` defaults to the
 * discovery's own).
 */
export type KubernetesBackoffOptions = BackoffOptions;

/** What a reported error was doing. */
export type KubernetesOperation = "getService" | "watch" | "credentials";

/** Where an error passed to `onError` happened. */
export interface KubernetesErrorContext {
  readonly operation: KubernetesOperation;
  readonly serviceName: string;
  /** When the failed work is retried, in ms from now (watches). */
  readonly retryInMs?: number;
}

/**
 * Where instances come from:
 * - `"endpointslices"`: the EndpointSlices of the Service named like the watched service (label
 *   `kubernetes.io/service-name`), the cluster's own view of ready endpoints.
 * - `"kratos"`: Pods labelled `kratos-service-app=<name>`, as Kratos's Kubernetes registry writes
 *   them (`kratos-service-id`, `kratos-service-version` labels, `kratos-service-metadata` and
 *   `kratos-service-protocols` annotations).
 */
export type KubernetesLayout = "endpointslices" | "kratos";

/** What `createKubernetesDiscovery` takes; every field is optional. */
export interface KubernetesDiscoveryOptions {
  /** Where instances come from; default `"endpointslices"`. */
  readonly layout?: KubernetesLayout;
  /**
   * Namespace of the services; default the kubeconfig context's namespace, else the pod's own
   * (the service account's `namespace` file), else `"default"`.
   */
  readonly namespace?: string;
  /**
   * Path of the kubeconfig to read; default `KUBECONFIG` (a list joined by `:`, merged as kubectl
   * does), else `~/.kube/config` when it exists, else the in-cluster service account.
   */
  readonly kubeconfig?: string;
  /** The kubeconfig context to use; default its `current-context`. */
  readonly context?: string;
  /** The API server URL; overrides the kubeconfig's or the in-cluster one. */
  readonly server?: string;
  /** A bearer token; overrides the kubeconfig user's credentials. Never logged. */
  readonly token?: string;
  /** A file holding the bearer token, re-read every minute and after a 401 (rotating tokens). */
  readonly tokenFile?: string;
  /** CA certificate(s) (PEM) of the API server; overrides the kubeconfig's or the in-cluster CA. */
  readonly ca?: string | Buffer;
  /** Client certificate (PEM); overrides the kubeconfig's. */
  readonly cert?: string | Buffer;
  /** Client private key (PEM); overrides the kubeconfig's. Never logged. */
  readonly key?: string | Buffer;
  /** Skip verifying the API server's certificate (never in production); default from the kubeconfig, else false. */
  readonly insecureSkipTlsVerify?: boolean;
  /** The service account folder (token, ca.crt, namespace); default `/var/run/secrets/kubernetes.io/serviceaccount`. */
  readonly serviceAccountDir?: string;
  /** Scheme of a port whose `appProtocol` and name say nothing known; default `"http"`. */
  readonly defaultScheme?: string;
  /** Objects per list page (`limit`); default 500, as kubectl and client-go. */
  readonly pageSize?: number;
  /**
   * How long the API server keeps one watch open (`timeoutSeconds`) before the watch is renewed
   * from the last resourceVersion, in ms; default a random time from 5 to 10 minutes per watch.
   */
  readonly watchTimeoutMs?: number;
  /** Timeout of each list or get request, in ms; default 10 000. */
  readonly requestTimeoutMs?: number;
  /** Retry delays of watches after errors. */
  readonly backoff?: KubernetesBackoffOptions;
  /** Time source for timeouts and backoff; default the system clock. */
  readonly clock?: Clock;
  /** Receives retried errors and skipped endpoints; default `console`. Never sees a token or key. */
  readonly logger?: Logger;
  /** Receives every error the discovery handles by itself (watch retries, skipped objects). */
  readonly onError?: (error: RegistryError, context: KubernetesErrorContext) => void;
  /** Environment to read `KUBECONFIG`, `HOME` and `KUBERNETES_SERVICE_HOST`/`_PORT` from; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Uniform random source in [0, 1) for jitter; default Math.random. */
  readonly random?: () => number;
}
