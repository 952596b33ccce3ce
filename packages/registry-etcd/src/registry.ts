import { inspect } from "node:util";
import type { Discovery, Registrar, RegistryCallOptions, ServiceInstance, Watcher } from "@switchyard/api";
import { InvalidArgumentError, RegistryError } from "@switchyard/api";
import { errorMessage, type ListWatcher } from "@switchyard/kit";
import { encodeInstance } from "./codec.js";
import { type Connection, connect } from "./connection.js";
import { toRegistryError } from "./errors.js";
import { toInstance } from "./instance.js";
import { KeyQueue } from "./key-queue.js";
import { checkServiceName, instanceKey, serviceRange } from "./layout.js";
import type { EtcdRegistryOptions } from "./options.js";
import { readService } from "./read.js";
import { Registration, type RegistrationDeps } from "./registration.js";
import { warn } from "./report.js";
import { resolveSettings, type Settings } from "./settings.js";
import { raceSignal } from "./signals.js";
import { closedWatcher, watchService } from "./watcher.js";

/** The `name` and `id` that identify a registered instance. */
export type InstanceKey = Pick<ServiceInstance, "name" | "id">;

/**
 * A registrar and discovery over etcd v3, in Kratos's layout: each instance is the JSON
 * `{id, name, version, metadata, endpoints}` under `<namespace>/<service>/<id>`, attached to a
 * lease of its own.
 */
export interface EtcdRegistry extends Registrar, Discovery {
  /**
   * Puts the instance under a new lease that is kept alive while the process runs, and registered
   * again on its own if the lease is lost. Registering an id again replaces its content under the
   * same lease (or, while that lease is lost, registers it again at once with the new content).
   * @throws InvalidArgumentError (as a rejection) for an invalid instance. RegistryError when etcd
   * fails or after `close()`. The signal's reason when aborted (anything written is then undone).
   */
  register(instance: ServiceInstance, options?: RegistryCallOptions): Promise<void>;
  /**
   * Stops keeping the instance alive, deletes its key and revokes its lease. An instance this
   * registry did not register is deleted all the same; after `close()` this does nothing.
   * @throws InvalidArgumentError when name or id is not a non-empty string. RegistryError when etcd
   * cannot be reached. The signal's reason when aborted.
   */
  deregister(instance: InstanceKey, options?: RegistryCallOptions): Promise<void>;
  /**
   * Reads the service's instances (a linearizable read); entries that are not valid instances are
   * skipped and logged.
   * @throws InvalidArgumentError for a bad service name; RegistryError when etcd fails or after
   * `close()`; the signal's reason when aborted.
   */
  getService(serviceName: string, options?: RegistryCallOptions): Promise<readonly ServiceInstance[]>;
  /**
   * Follows the service with an etcd watch on its prefix (see the package README for the rules).
   * Aborting `signal` stops the watcher.
   * @throws InvalidArgumentError for a bad service name.
   */
  watch(serviceName: string, options?: RegistryCallOptions): Watcher;
  /**
   * Stops every watcher, deregisters every instance this registry registered (best effort, each
   * bounded by the request timeout), and closes the etcd client unless it was passed in.
   * Idempotent.
   */
  close(): Promise<void>;
}

class EtcdRegistryImpl implements EtcdRegistry {
  private readonly connection: Connection;
  private readonly settings: Settings;
  private readonly deps: RegistrationDeps;
  private readonly registrations = new Map<string, Registration>();
  private readonly queue = new KeyQueue();
  private readonly watchers = new Set<ListWatcher>();
  private closed = false;

  constructor(connection: Connection, settings: Settings) {
    this.connection = connection;
    this.settings = settings;
    this.deps = { client: connection.client, settings, endpoints: connection.endpoints };
  }

  async register(instance: ServiceInstance, options?: RegistryCallOptions): Promise<void> {
    const signal = options?.signal;
    signal?.throwIfAborted();
    const copy = toInstance(instance, "instance", "object");
    if (typeof copy === "string") throw new InvalidArgumentError(`etcd: register: ${copy}`);
    checkServiceName(copy.name, "etcd: register: instance.name");
    this.throwIfClosed("register");
    const key = instanceKey(this.settings.namespace, copy.name, copy.id);
    const value = encodeInstance(copy);
    return this.queue.run(key, async () => {
      signal?.throwIfAborted();
      this.throwIfClosed("register");
      const existing = this.registrations.get(key);
      if (existing !== undefined) return existing.update(value, signal);
      const label = `instance ${JSON.stringify(copy.id)} of ${JSON.stringify(copy.name)}`;
      const registration = new Registration(this.deps, key, value, label);
      this.registrations.set(key, registration);
      try {
        await registration.start(signal);
      } catch (error) {
        if (this.registrations.get(key) === registration) this.registrations.delete(key);
        throw error;
      }
    });
  }

  async deregister(instance: InstanceKey, options?: RegistryCallOptions): Promise<void> {
    const signal = options?.signal;
    signal?.throwIfAborted();
    const { name, id } = (instance ?? {}) as Partial<InstanceKey>;
    if (typeof id !== "string" || id === "") {
      throw new InvalidArgumentError("etcd: deregister: instance.id must be a non-empty string");
    }
    checkServiceName(name, "etcd: deregister: instance.name");
    if (this.closed) return;
    const key = instanceKey(this.settings.namespace, name as string, id);
    return this.queue.run(key, async () => {
      const registration = this.registrations.get(key);
      if (registration !== undefined) {
        this.registrations.delete(key);
        return registration.stop(signal);
      }
      const deadline = Date.now() + this.settings.requestTimeoutMs;
      const work = this.connection.client.kv.deleteRange({ key: Buffer.from(key) }, { deadline });
      await raceSignal(work, signal).catch((error: unknown) => {
        if (signal?.aborted && error === signal.reason) throw error;
        throw toRegistryError(error, `deregistering ${JSON.stringify(key)}`, this.deps);
      });
    });
  }

  async getService(serviceName: string, options?: RegistryCallOptions): Promise<readonly ServiceInstance[]> {
    const signal = options?.signal;
    signal?.throwIfAborted();
    checkServiceName(serviceName, "etcd: getService");
    this.throwIfClosed("getService");
    const range = serviceRange(this.settings.namespace, serviceName);
    const deadline = Date.now() + this.settings.requestTimeoutMs;
    try {
      const read = await raceSignal(
        readService(this.connection.client, range, serviceName, deadline),
        signal,
      );
      for (const [key, reason] of read.skipped) {
        warn(this.settings, `etcd: getService skipped the entry ${JSON.stringify(key)}: ${reason}`, {
          service: serviceName,
          key,
        });
      }
      return Object.freeze([...read.entries.values()]);
    } catch (error) {
      if (signal?.aborted && error === signal.reason) throw error;
      throw toRegistryError(error, `reading ${JSON.stringify(serviceName)}`, this.deps);
    }
  }

  watch(serviceName: string, options?: RegistryCallOptions): Watcher {
    checkServiceName(serviceName, "etcd: watch");
    if (this.closed) return closedWatcher(serviceName);
    const watcher = watchService(this.deps, serviceName, options?.signal, (stopped) =>
      this.watchers.delete(stopped),
    );
    if (!watcher.isStopped) this.watchers.add(watcher);
    return watcher;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const watcher of [...this.watchers]) watcher.halt("the registry was closed");
    const registrations = [...this.registrations.values()];
    this.registrations.clear();
    const results = await Promise.allSettled(
      registrations.map((registration) => registration.stop(undefined)),
    );
    for (const result of results) {
      if (result.status === "rejected") warn(this.settings, errorMessage(result.reason));
    }
    if (this.connection.owned) this.connection.client.close();
  }

  /**
   * What `console.log` and `JSON.stringify` show: the endpoints and namespace, never the password,
   * an auth token or the TLS key (the etcd3 client holding them stays hidden).
   */
  toJSON(): Record<string, unknown> {
    return {
      endpoints: this.connection.endpoints,
      namespace: this.settings.namespace,
      registered: this.registrations.size,
      watchers: this.watchers.size,
      closed: this.closed,
    };
  }

  [inspect.custom](): string {
    return `EtcdRegistry ${inspect(this.toJSON())}`;
  }

  private throwIfClosed(call: string): void {
    if (!this.closed) return;
    throw new RegistryError(
      `etcd: ${call} was called after close(); create a new registry with createEtcdRegistry()`,
      { retryable: false },
    );
  }
}

/**
 * Creates a registrar and discovery over etcd v3. Nothing connects until the first call.
 * @throws InvalidArgumentError naming the first bad option.
 */
export function createEtcdRegistry(options: EtcdRegistryOptions = {}): EtcdRegistry {
  if (typeof options !== "object" || options === null) {
    throw new InvalidArgumentError("etcd: createEtcdRegistry: options must be an object (or left out)");
  }
  const settings = resolveSettings(options);
  return new EtcdRegistryImpl(connect(options, settings), settings);
}
