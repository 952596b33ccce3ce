import {
  type Discovery,
  InvalidArgumentError,
  type RegistryCallOptions,
  RegistryError,
  type ServiceInstance,
  type Watcher,
} from "@switchyard/api";
import { queryHealth } from "./health-query.js";
import type { ConsulHttp } from "./http.js";
import { report } from "./report.js";
import type { Settings } from "./settings.js";
import { ConsulWatcher } from "./watcher.js";

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
  private readonly watchers = new Set<ConsulWatcher>();

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
    for (const message of result.skipped) {
      report(this.settings, new RegistryError(`consul: ${message}`, { retryable: false }), {
        operation: "getService",
        serviceName,
      });
    }
    return result.instances;
  }

  /**
   * Starts following `serviceName` with blocking queries; see {@link ConsulWatcher}. Aborting
   * `signal` stops the watcher.
   * @throws InvalidArgumentError for an empty name.
   */
  watch(serviceName: string, options?: RegistryCallOptions): Watcher {
    checkName(serviceName, "watch()");
    const watcher = new ConsulWatcher(
      { http: this.http, settings: this.settings, detach: (w) => this.watchers.delete(w) },
      serviceName,
      options?.signal,
    );
    if (!options?.signal?.aborted) this.watchers.add(watcher);
    return watcher;
  }

  /** Stops every watcher. */
  async close(): Promise<void> {
    await Promise.all([...this.watchers].map((watcher) => watcher.stop()));
  }
}
