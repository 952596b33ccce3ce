import { inspect } from "node:util";
import {
  type Discovery,
  InvalidArgumentError,
  type RegistryCallOptions,
  RegistryError,
  type ServiceInstance,
  type Watcher,
} from "@switchyard/api";
import { type ListWatcher, REDACTED, reportSkipped } from "@switchyard/kit";
import { KubeHttp } from "./http.js";
import { instancesOf } from "./instances.js";
import { listAll } from "./list.js";
import type { KubernetesDiscoveryOptions } from "./options.js";
import { resourceOf } from "./resource.js";
import { resolveSettings, type Settings } from "./settings.js";
import { startWatch } from "./watcher.js";

/** A discovery over the Kubernetes API. */
export interface KubernetesDiscovery extends Discovery {
  /** Stops every watcher and closes the connections to the API server. Idempotent. */
  close(): Promise<void>;
}

const SERVICE_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function checkName(serviceName: unknown, call: string): asserts serviceName is string {
  if (typeof serviceName !== "string" || !SERVICE_NAME.test(serviceName) || serviceName.length > 253) {
    throw new InvalidArgumentError(
      `kubernetes: ${call} needs a Kubernetes name (lower-case letters, digits, '-' and '.'), got ${JSON.stringify(serviceName)}`,
    );
  }
}

class Registry implements KubernetesDiscovery {
  private readonly settings: Settings;
  private readonly http: KubeHttp;
  private readonly watchers = new Set<ListWatcher>();
  private closing: Promise<void> | undefined = undefined;

  constructor(options: KubernetesDiscoveryOptions | undefined) {
    this.settings = resolveSettings(options);
    this.http = new KubeHttp(this.settings);
  }

  async getService(serviceName: string, options?: RegistryCallOptions): Promise<readonly ServiceInstance[]> {
    checkName(serviceName, "getService()");
    options?.signal?.throwIfAborted();
    if (this.closing !== undefined) throw this.closedError("getService()");
    const snapshot = await listAll(
      this.http,
      this.settings,
      resourceOf(this.settings, serviceName),
      options?.signal,
    );
    const mapped = instancesOf(this.settings, snapshot.objects.values(), serviceName);
    reportSkipped("kubernetes", this.settings, mapped.skipped, { operation: "getService", serviceName });
    return mapped.instances;
  }

  watch(serviceName: string, options?: RegistryCallOptions): Watcher {
    checkName(serviceName, "watch()");
    if (this.closing !== undefined) throw this.closedError("watch()");
    const watcher = startWatch(this.http, this.settings, serviceName, options?.signal, (w) =>
      this.watchers.delete(w),
    );
    if (!watcher.isStopped) this.watchers.add(watcher);
    return watcher;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const watcher of [...this.watchers]) watcher.halt("the discovery was closed");
      await this.http.close();
    })();
    return this.closing;
  }

  /** What `console.log` and `JSON.stringify` show: where it talks, never a token or key. */
  toJSON(): Record<string, unknown> {
    const { access, namespace, layout } = this.settings;
    return {
      server: access.server,
      namespace,
      layout,
      credentials:
        access.auth.kind === "none" ? "(none)" : access.auth.kind === "token" ? REDACTED : access.auth.kind,
      source: access.source,
      closed: this.closing !== undefined,
    };
  }

  [inspect.custom](): string {
    return `KubernetesDiscovery ${inspect(this.toJSON())}`;
  }

  private closedError(call: string): RegistryError {
    return new RegistryError(
      `kubernetes: ${call} on a closed discovery; create a new one with createKubernetesDiscovery()`,
      {
        retryable: false,
      },
    );
  }
}

/**
 * Creates a discovery over the Kubernetes API: `watch("api")` follows the EndpointSlices of
 * Service `api` (or, with `layout: "kratos"`, the pods Kratos's registry labels), list then watch,
 * and yields the ready endpoints, one instance per pod with one URL per port. Credentials come
 * from the kubeconfig (`KUBECONFIG`, `~/.kube/config`) or the pod's service account; nothing is
 * sent until it is used.
 * @throws InvalidArgumentError when an option is out of range, the kubeconfig cannot be read or
 * names no usable context, or no cluster can be found.
 */
export function createKubernetesDiscovery(options?: KubernetesDiscoveryOptions): KubernetesDiscovery {
  return new Registry(options);
}
