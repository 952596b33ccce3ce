import { homedir } from "node:os";
import { type Clock, InvalidArgumentError, type Logger, type RegistryError } from "@switchyard/api";
import {
  type BackoffSettings,
  checkBackoff,
  checkClock,
  checkLogger,
  checkMs,
  SecretSet,
} from "@switchyard/kit";
import type { Access } from "./access.js";
import { inClusterAccess, SERVICE_ACCOUNT_DIR } from "./in-cluster.js";
import { kubeconfigPaths, loadKubeconfig } from "./kubeconfig.js";
import type { KubernetesDiscoveryOptions, KubernetesErrorContext, KubernetesLayout } from "./options.js";

/** Every option of the discovery, checked and with its default. */
export interface Settings {
  readonly access: Access;
  readonly layout: KubernetesLayout;
  readonly namespace: string;
  /** Tokens and private keys: what no error, log line or inspected object may show. */
  readonly secrets: SecretSet;
  readonly defaultScheme: string;
  readonly pageSize: number;
  /** A fixed watch timeout, or undefined for a random one from 5 to 10 minutes. */
  readonly watchTimeoutMs: number | undefined;
  readonly requestTimeoutMs: number;
  readonly backoff: BackoffSettings;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly onError: ((error: RegistryError, context: KubernetesErrorContext) => void) | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly random: () => number;
}

const fail = (message: string): never => {
  throw new InvalidArgumentError(`kubernetes: ${message}`);
};

const ms = (value: number | undefined, name: string, fallback: number, min: number, max?: number): number =>
  checkMs(value, { where: "kubernetes", name, fallback, min, max });

function serverUrl(server: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch (cause) {
    throw new InvalidArgumentError(
      `kubernetes: server ${JSON.stringify(server)} is not a URL; use e.g. "https://10.0.0.1:6443"`,
      { cause },
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    fail(`server ${JSON.stringify(server)} must use http or https`);
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/** The access from the options, the kubeconfig or the pod, in that order, with the options' overrides. */
function resolveAccess(
  options: KubernetesDiscoveryOptions,
  env: Readonly<Record<string, string | undefined>>,
): Access {
  let base: Access | undefined;
  if (options.server === undefined) {
    const paths = kubeconfigPaths(options.kubeconfig, env, env.HOME || homedir());
    if (paths.length > 0) base = loadKubeconfig(paths, options.context);
    else base = inClusterAccess(env, options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR);
    if (base === undefined) {
      fail(
        "found no cluster to talk to: no KUBECONFIG, no ~/.kube/config, and not in a pod " +
          "(KUBERNETES_SERVICE_HOST unset); set KUBECONFIG or pass server",
      );
    }
  }
  const tls = base?.tls;
  const auth =
    options.token !== undefined
      ? ({ kind: "token", token: options.token } as const)
      : options.tokenFile !== undefined
        ? ({ kind: "tokenFile", path: options.tokenFile } as const)
        : (base?.auth ?? ({ kind: "none" } as const));
  return {
    server: serverUrl(options.server ?? base!.server),
    tls: {
      ca: options.ca ?? tls?.ca,
      cert: options.cert ?? tls?.cert,
      key: options.key ?? tls?.key,
      servername: tls?.servername,
      rejectUnauthorized:
        options.insecureSkipTlsVerify === undefined
          ? (tls?.rejectUnauthorized ?? true)
          : !options.insecureSkipTlsVerify,
    },
    auth,
    namespace: base?.namespace,
    source: options.server === undefined ? base!.source : "the server option",
  };
}

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Checks the options and fills in defaults from the kubeconfig, the pod and Kubernetes's conventions. */
export function resolveSettings(options: KubernetesDiscoveryOptions = {}): Settings {
  if (typeof options !== "object" || options === null) fail("expected an options object");
  for (const name of ["onError", "random"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "function")
      fail(`${name} must be a function`);
  }
  for (const name of ["token", "tokenFile", "server", "kubeconfig", "context", "namespace"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "string") fail(`${name} must be a string`);
  }
  const layout = options.layout ?? "endpointslices";
  if (layout !== "endpointslices" && layout !== "kratos") {
    fail(`layout must be "endpointslices" or "kratos", got ${String(layout)}`);
  }
  const env = options.env ?? process.env;
  const random = options.random ?? Math.random;
  const access = resolveAccess(options, env);
  const namespace = options.namespace ?? access.namespace ?? "default";
  if (!NAMESPACE.test(namespace))
    fail(`namespace ${JSON.stringify(namespace)} is not a valid Kubernetes namespace name`);
  const defaultScheme = options.defaultScheme ?? "http";
  if (!/^[a-z][a-z0-9+.-]*$/.test(defaultScheme))
    fail(`defaultScheme must be a URL scheme such as "http", got ${JSON.stringify(defaultScheme)}`);
  const pageSize = options.pageSize ?? 500;
  if (!Number.isInteger(pageSize) || pageSize < 1)
    fail(`pageSize must be an integer ≥ 1, got ${String(pageSize)}`);
  const secrets = new SecretSet();
  if (access.auth.kind === "token") secrets.add(access.auth.token);
  secrets.add(access.tls.key);
  return {
    access,
    layout,
    namespace,
    secrets,
    defaultScheme,
    pageSize,
    watchTimeoutMs:
      options.watchTimeoutMs === undefined
        ? undefined
        : ms(options.watchTimeoutMs, "watchTimeoutMs", 0, 1000, 3_600_000),
    requestTimeoutMs: ms(options.requestTimeoutMs, "requestTimeoutMs", 10_000, 1),
    backoff: checkBackoff(options.backoff, { where: "kubernetes", name: "backoff", random }),
    clock: checkClock(options.clock, "kubernetes"),
    logger: checkLogger(options.logger, "kubernetes"),
    onError: options.onError,
    env,
    random,
  };
}
