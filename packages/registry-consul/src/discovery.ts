import {
  type Discovery,
  InvalidArgumentError,
  type RegistryCallOptions,
  type ServiceInstance,
  type Watcher,
} from "@switchyard/api";
import { type ListWatcher, reportSkipped } from "@switchyard/kit";
import { queryHealth } from "./health-query.js";
import type { ConsulHttp } from "./http.js";
import type { Settings } from "./settings.js";
import { watchService } from "./watcher.js";

function checkName(serviceName: unknown, call: string): asserts serviceName is string {
  if (typeof serviceName !== "string" || serviceName === "") {
    throw new InvalidArgumentError(
      `consul: ${call} needs a non-empty service name, got ${JSON.stringify(serviceName)}`,
    );
  }
}

/** Reads and watches services through `/v1/health/service/:name`. */
export class ConsulDiscovery implements Discovery {
  private readonly http: ConsulHttp;
  private readonly settings: Settings;
  private readonly watchers = new Set<ListWatcher>();

  constructor(http: ConsulHttp, settings: Settings) {
    this.http = http;
    this.settings = settings;
  }

  /**
   * The instances of `serviceName` at or above `minimumHealth`, now (entries without a usable
   * address are skipped and reported).
   * @throws InvalidArgumentError for an empty name; RegistryError when the agent is unreachable,
   * fails, refuses the token, or sends a reply that does not parse.
   */
  async getService(serviceName: string, options?: RegistryCallOptions): Promise<readonly ServiceInstance[]> {
    checkName(serviceName, "getService()");
    const result = await queryHealth(this.http, this.settings, serviceName, 0, options?.signal);
    reportSkipped("consul", this.settings, result.skipped, { operation: "getService", serviceName });
    return result.instances;
  }

  /**
   * Starts following `serviceName` with blocking queries; see {@link watchService}. Aborting
   * `signal` stops the watcher.
   * @throws InvalidArgumentError for an empty name.
   */
  watch(serviceName: string, options?: RegistryCallOptions): Watcher {
    checkName(serviceName, "watch()");
    const detach = (stopped: ListWatcher) => this.watchers.delete(stopped);
    const watcher = watchService(
      { http: this.http, settings: this.settings, detach },
      serviceName,
      options?.signal,
    );
    if (!watcher.isStopped) this.watchers.add(watcher);
    return watcher;
  }

  /** Stops every watcher, saying the registry was closed. */
  async close(): Promise<void> {
    for (const watcher of [...this.watchers]) watcher.halt("the registry was closed");
  }
}
