import { type InspectOptions, inspect } from "node:util";
import {
  type Discovery,
  InvalidArgumentError,
  type RegistryCallOptions,
  RegistryError,
  type ServiceInstance,
  type Watcher,
} from "@switchyard/api";
import { errorMessage, holdProcess, ListWatcher } from "@switchyard/kit";
import { DnsClient } from "./client.js";
import { ServiceFollower } from "./follower.js";
import type { DnsDiscoveryOptions } from "./options.js";
import { resolveTarget } from "./resolve.js";
import { resolveSettings, type Settings } from "./settings.js";
import { parseTarget, type Target } from "./target.js";

/** A {@link Discovery} over DNS; `close()` stops every watcher it gave. */
export interface DnsDiscovery extends Discovery {
  /**
   * Stops every watcher (pending `next()` calls reject with `WatcherStoppedError`); later
   * `getService` calls reject with `RegistryError` and `watch` gives a stopped watcher. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Creates a {@link Discovery} that reads services from DNS: SRV records (host, port, weight and
 * priority; only the lowest priority class that has addresses is used) or the A/AAAA records of a
 * name with a port (one instance per address). A watch re-resolves at the records' TTL, kept
 * between `minIntervalMs` and `maxIntervalMs`, and yields only real changes; a failed resolution
 * keeps the last list and is retried with backoff. See {@link DnsDiscoveryOptions}.
 * @throws InvalidArgumentError naming the first bad option.
 */
export function createDnsDiscovery(options: DnsDiscoveryOptions = {}): DnsDiscovery {
  return new DnsServiceDiscovery(resolveSettings(options));
}

class DnsServiceDiscovery implements DnsDiscovery {
  private readonly settings: Settings;
  private readonly client: DnsClient;
  private readonly watchers = new Set<ListWatcher>();
  private closed = false;

  constructor(settings: Settings) {
    this.settings = settings;
    this.client = new DnsClient(settings);
  }

  /**
   * Resolves the service once.
   * @throws InvalidArgumentError when the service maps to no DNS name this package reads;
   * RegistryError when no server answered or the discovery is closed; the signal's reason.
   */
  async getService(serviceName: string, options?: RegistryCallOptions): Promise<readonly ServiceInstance[]> {
    const signal = options?.signal;
    signal?.throwIfAborted();
    const target = this.targetOf(serviceName, "getService");
    if (this.closed) {
      throw new RegistryError("dns: getService was called after close(); create a new discovery", {
        retryable: false,
      });
    }
    const release = holdProcess();
    try {
      const { instances } = await resolveTarget(
        this.client,
        target,
        serviceName,
        this.settings.family,
        signal,
      );
      return instances;
    } finally {
      release();
    }
  }

  /**
   * Follows the service: the first `next()` gives the list once DNS has answered, later ones the
   * list after each change.
   * @throws InvalidArgumentError when the service maps to no DNS name this package reads.
   */
  watch(serviceName: string, options?: RegistryCallOptions): Watcher {
    const target = this.targetOf(serviceName, "watch");
    let follower: ServiceFollower | undefined;
    const watcher = new ListWatcher({
      label: `dns: the watcher of ${JSON.stringify(serviceName)}`,
      signal: options?.signal,
      onStop: (error, stopped) => {
        follower?.stop(error);
        this.watchers.delete(stopped);
      },
    });
    if (this.closed) watcher.halt("the discovery was closed");
    if (watcher.isStopped) return watcher;
    this.watchers.add(watcher);
    follower = new ServiceFollower(this.settings, this.client, serviceName, target, (list) =>
      watcher.offer(list),
    );
    follower.start();
    return watcher;
  }

  close(): Promise<void> {
    this.closed = true;
    for (const watcher of [...this.watchers]) watcher.halt("the discovery was closed");
    return Promise.resolve();
  }

  /** What `console.log` shows: the servers and the services named in the options. */
  [inspect.custom](_depth: number, options: InspectOptions): string {
    const servers = this.settings.servers.map((server) => server.label);
    const services = [...this.settings.targets.keys()];
    return `DnsDiscovery ${inspect({ servers, services, watchers: this.watchers.size }, options)}`;
  }

  /** The DNS name of a service: from the services option, else the service name itself. */
  private targetOf(serviceName: string, call: string): Target {
    const where = `dns: ${call}(${JSON.stringify(serviceName)})`;
    if (typeof serviceName !== "string" || serviceName === "") {
      throw new InvalidArgumentError(`${where}: the service name must be a non-empty string`);
    }
    const { lookup, lookupIsFunction } = this.settings;
    let found: unknown;
    try {
      found = lookup(serviceName);
    } catch (error) {
      throw new InvalidArgumentError(
        `${where}: the services function threw: ${errorMessage(error)}; fix it`,
        {
          cause: error,
        },
      );
    }
    if (found === undefined) {
      return parseTarget(serviceName, `${where}: no entry in the services option, and the name itself`);
    }
    if (!lookupIsFunction) return found as Target;
    return parseTarget(found, `${where}: the services function returned a bad target`);
  }
}
