import { CERTIFICATE_USER } from "./auth.js";
import { DOUBLE_CA, DOUBLE_CLIENT_CERT, DOUBLE_CLIENT_KEY } from "./certificates.js";
import { kubeconfigYaml } from "./kubeconfig.js";
import { DoubleServer } from "./server.js";
import type {
  KubeObject,
  KubernetesDoubleOptions,
  KubernetesFault,
  KubernetesFaultOptions,
  KubernetesKind,
  KubernetesRecordedRequest,
} from "./types.js";

/** Who a kubeconfig written by {@link KubernetesDouble.kubeconfig} logs in as. */
export interface KubernetesDoubleKubeconfigOptions {
  /** A bearer token; default none. */
  readonly token?: string;
  /** Log in with the double's client certificate (user `switchyard-client`); needs `tls`. */
  readonly clientCertificate?: boolean;
  /** The context's namespace; default "default". */
  readonly namespace?: string;
}

/** A running Kubernetes API double, and the controls tests drive it with. */
export interface KubernetesDouble {
  /** `http://127.0.0.1:<port>`, or `https://…` with `tls`. */
  readonly url: string;
  /** The CA certificate (PEM) of the double's HTTPS certificate (set whether or not `tls` is on). */
  readonly ca: string;
  /** A client certificate and key (PEM) the double accepts as user `switchyard-client` over TLS. */
  readonly clientCertificate: { readonly cert: string; readonly key: string };
  /** Every request received so far, oldest first. */
  readonly requests: readonly KubernetesRecordedRequest[];
  /** Resolves with the next request to arrive that matches `filter` (default: any). */
  nextRequest(filter?: (request: KubernetesRecordedRequest) => boolean): Promise<KubernetesRecordedRequest>;
  /** A kubeconfig (YAML) whose current context points at the double. */
  kubeconfig(options?: KubernetesDoubleKubeconfigOptions): string;
  /**
   * Creates or replaces an object (`kind` "EndpointSlice" or "Pod", namespace default "default"),
   * status included, as a controller or the kubelet would; returns it as stored.
   */
  apply(object: KubeObject): KubeObject;
  /** Deletes an object; returns whether it existed. */
  remove(kind: KubernetesKind, name: string, namespace?: string): boolean;
  /** The stored objects of a kind, in a namespace or all. */
  objects(kind: KubernetesKind, namespace?: string): KubeObject[];
  /** The newest resourceVersion. */
  resourceVersion(): string;
  /** Forgets the change history: watches and continue tokens from older resourceVersions get 410. */
  compact(): void;
  /** Sends a BOOKMARK now to every watch that allows them. */
  bookmark(): void;
  /** Number of watches being served. */
  openWatches(): number;
  /** Ends every watch cleanly, as when their `timeoutSeconds` pass. */
  endWatches(): void;
  /** Destroys the connection of every watch mid-stream. */
  dropWatches(): void;
  /** Plays `fault` on the next matching request(s); see {@link KubernetesFault}. */
  injectFault(fault: KubernetesFault, options?: KubernetesFaultOptions): void;
  /** Drops every fault not yet played. */
  clearFaults(): void;
  /** Stops listening and drops every connection; the objects are kept. */
  down(): Promise<void>;
  /** Listens again on the same port after {@link KubernetesDouble.down}. */
  up(): Promise<void>;
  /** Stops the server and every watch. Idempotent. */
  close(): Promise<void>;
}

const KINDS: readonly KubernetesKind[] = ["EndpointSlice", "Pod"];

/**
 * Starts a double of the Kubernetes API server on 127.0.0.1 for EndpointSlices
 * (`discovery.k8s.io/v1`) and Pods (`v1`): get, list (label and field selectors, `limit` and
 * `continue` over a consistent snapshot, `resourceVersion`), watch (JSON event stream from a
 * resourceVersion, BOOKMARK events, 410 `Expired` for compacted history, `timeoutSeconds`),
 * create/replace/delete with conflicts, `Table` output and the discovery documents kubectl reads,
 * bearer-token and client-certificate users with RBAC rules (401/403 as `Status` objects), and
 * faults. Close it in `afterEach`.
 * @throws Error (as a rejection) when the port cannot be listened on.
 */
export async function startKubernetesDouble(
  options: KubernetesDoubleOptions = {},
): Promise<KubernetesDouble> {
  const server = new DoubleServer(options);
  await server.listen(options.port ?? 0);
  const { ctx } = server;
  let closed = false;
  const url = `${server.tls ? "https" : "http"}://127.0.0.1:${server.port}`;
  return {
    url,
    ca: DOUBLE_CA,
    clientCertificate: { cert: DOUBLE_CLIENT_CERT, key: DOUBLE_CLIENT_KEY },
    requests: server.requests,
    nextRequest: (filter) => server.nextRequest(filter),
    kubeconfig: (config = {}) => {
      if (config.clientCertificate && !server.tls) {
        throw new RangeError("kubernetes double: a client certificate needs a double started with tls: true");
      }
      return kubeconfigYaml({
        server: url,
        ca: server.tls ? DOUBLE_CA : undefined,
        token: config.token,
        client: config.clientCertificate ? { cert: DOUBLE_CLIENT_CERT, key: DOUBLE_CLIENT_KEY } : undefined,
        namespace: config.namespace ?? "default",
        user: config.clientCertificate ? CERTIFICATE_USER : "double-user",
      });
    },
    apply(object) {
      const kind = object.kind as KubernetesKind;
      if (!KINDS.includes(kind))
        throw new RangeError(
          `kubernetes double: kind must be EndpointSlice or Pod, got ${String(object.kind)}`,
        );
      const namespace = object.metadata?.namespace ?? "default";
      const name = object.metadata?.name ?? "";
      if (name === "") throw new RangeError("kubernetes double: the object needs metadata.name");
      const current = ctx.store.get(kind, namespace, name);
      const { resourceVersion: _rv, ...meta } = object.metadata ?? {};
      return ctx.store.write(kind, namespace, { ...object, metadata: meta }, current !== undefined);
    },
    remove: (kind, name, namespace = "default") => ctx.store.delete(kind, namespace, name) !== undefined,
    objects: (kind, namespace) => ctx.store.list(kind, namespace),
    resourceVersion: () => String(ctx.store.resourceVersion),
    compact: () => ctx.store.compact(),
    bookmark: () => {
      for (const handle of [...ctx.watches]) handle.bookmark();
    },
    openWatches: () => ctx.watches.size,
    endWatches: () => {
      for (const handle of [...ctx.watches]) handle.end();
    },
    dropWatches: () => {
      for (const handle of [...ctx.watches]) handle.drop();
    },
    injectFault: (fault, faultOptions) => server.faults.add(fault, faultOptions),
    clearFaults: () => server.faults.clear(),
    down: () => server.stopListening(),
    up: () => (closed ? Promise.reject(new Error("kubernetes double: closed")) : server.listen(server.port)),
    async close() {
      if (closed) return;
      closed = true;
      server.faults.clear();
      await server.stopListening();
    },
  };
}
