import type {
  Clock,
  Discovery,
  Registrar,
  RegistryCallOptions,
  ServiceInstance,
  Watcher,
} from "@switchyard/api";
import { RegistryError } from "@switchyard/api";
import { checkClock, ListWatcher } from "@switchyard/kit";
import { Lease } from "./lease.js";
import { checkTtl, type MemoryRegisterOptions, type MemoryRegistryOptions } from "./options.js";
import { EMPTY_LIST, type InstanceRecord, ServiceState } from "./service-state.js";
import { checkKey, checkServiceName, toInstance } from "./validate.js";

/** The `name` and `id` that identify a registered instance. */
export type InstanceKey = Pick<ServiceInstance, "name" | "id">;

/**
 * An in-process registrar and discovery: what one part of a process registers, another part (or a
 * transport) discovers and watches. Lists handed out are frozen and shared; instances are frozen
 * copies with null-prototype metadata.
 */
export interface MemoryRegistry extends Registrar, Discovery {
  /**
   * Adds an instance, or replaces the one with the same name and id (which also renews its TTL).
   * The change is visible to `getService` when the promise settles; watchers hear about it on a
   * microtask.
   * @throws InvalidArgumentError (as a rejection) when the instance or `ttlMs` is invalid; the
   * registry is left unchanged. RegistryError after `close()`. The signal's reason when aborted.
   */
  register(instance: ServiceInstance, options?: MemoryRegisterOptions): Promise<void>;
  /**
   * Removes the instance with this name and id; an unknown one (or any, after `close()`) is a no-op.
   * @throws InvalidArgumentError (as a rejection) when name or id is not a non-empty string.
   */
  deregister(instance: InstanceKey, options?: RegistryCallOptions): Promise<void>;
  /**
   * Renews the TTL of a registered instance. Returns `false` when it is not registered (it
   * expired, was deregistered, or never was): register it again. Instances without TTL just
   * answer `true`.
   * @throws InvalidArgumentError when name or id is not a non-empty string.
   */
  heartbeat(instance: InstanceKey): boolean;
  /** Names of the services that have at least one instance, sorted. */
  services(): readonly string[];
  /**
   * Stops every watcher (their pending and later `next()` calls reject with WatcherStoppedError),
   * drops every instance and TTL timer. Later `register`/`getService` calls reject with
   * RegistryError, `watch` gives a stopped watcher, `deregister` does nothing. Idempotent.
   */
  close(): Promise<void>;
}

const NAME = "memory registry";

class InMemoryRegistry implements MemoryRegistry {
  private readonly clock: Clock;
  private readonly ttlMs: number | undefined;
  private readonly states = new Map<string, ServiceState>();
  private readonly release = (state: ServiceState): void => {
    if (this.states.get(state.name) === state) this.states.delete(state.name);
  };
  private closed = false;

  constructor(clock: Clock, ttlMs: number | undefined) {
    this.clock = clock;
    this.ttlMs = ttlMs;
  }

  async register(instance: ServiceInstance, options?: MemoryRegisterOptions): Promise<void> {
    options?.signal?.throwIfAborted();
    if (this.closed) throw this.closedError("register");
    const copy = toInstance(instance, `${NAME}: register`);
    const ttlMs = checkTtl(options?.ttlMs, `${NAME}: register`) ?? this.ttlMs;
    const state = this.stateOf(copy.name);
    state.records.get(copy.id)?.lease?.cancel();
    const lease =
      ttlMs === undefined || ttlMs === Number.POSITIVE_INFINITY
        ? undefined
        : new Lease(this.clock, ttlMs, () => this.expire(state, record));
    const record: InstanceRecord = { instance: copy, lease };
    state.records.set(copy.id, record);
    state.changed();
  }

  async deregister(instance: InstanceKey, options?: RegistryCallOptions): Promise<void> {
    options?.signal?.throwIfAborted();
    const { name, id } = checkKey(instance, `${NAME}: deregister`, "instance");
    const state = this.states.get(name);
    const record = state?.records.get(id);
    if (state !== undefined && record !== undefined) this.remove(state, record);
  }

  heartbeat(instance: InstanceKey): boolean {
    const { name, id } = checkKey(instance, `${NAME}: heartbeat`, "instance");
    const record = this.states.get(name)?.records.get(id);
    record?.lease?.renew();
    return record !== undefined;
  }

  services(): readonly string[] {
    const names: string[] = [];
    for (const state of this.states.values()) if (state.records.size > 0) names.push(state.name);
    return Object.freeze(names.sort());
  }

  async getService(serviceName: string, options?: RegistryCallOptions): Promise<readonly ServiceInstance[]> {
    options?.signal?.throwIfAborted();
    checkServiceName(serviceName, `${NAME}: getService`);
    if (this.closed) throw this.closedError("getService");
    return this.states.get(serviceName)?.current() ?? EMPTY_LIST;
  }

  watch(serviceName: string, options?: RegistryCallOptions): Watcher {
    checkServiceName(serviceName, `${NAME}: watch`);
    const label = `${NAME}: the watcher of ${JSON.stringify(serviceName)}`;
    if (this.closed) {
      const watcher = new ListWatcher({ label });
      watcher.halt("the registry was closed");
      return watcher;
    }
    const state = this.stateOf(serviceName);
    // next() reads the service's list itself, so a change is seen before the batched offer.
    const watcher = new ListWatcher({
      label,
      signal: options?.signal,
      current: () => state.current(),
      onStop: (_, stopped) => state.detach(stopped),
    });
    if (!watcher.isStopped) state.watchers.add(watcher);
    return watcher;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const states = [...this.states.values()];
    this.states.clear();
    for (const state of states) {
      for (const record of state.records.values()) record.lease?.cancel();
      state.records.clear();
      for (const watcher of [...state.watchers]) watcher.halt("the registry was closed");
    }
  }

  private stateOf(name: string): ServiceState {
    let state = this.states.get(name);
    if (state === undefined) {
      state = new ServiceState(name, this.release);
      this.states.set(name, state);
    }
    return state;
  }

  private expire(state: ServiceState, record: InstanceRecord): void {
    if (state.records.get(record.instance.id) === record) this.remove(state, record);
  }

  private remove(state: ServiceState, record: InstanceRecord): void {
    record.lease?.cancel();
    state.records.delete(record.instance.id);
    state.changed();
    state.releaseIfIdle();
  }

  private closedError(call: string): RegistryError {
    return new RegistryError(
      `${NAME}: ${call} was called after close(); create a new registry with createMemoryRegistry()`,
      { retryable: false },
    );
  }
}

/**
 * Creates an in-process registry. With `ttlMs`, instances expire unless re-registered or
 * heart-beaten (see {@link MemoryRegistry.heartbeat}); without it they stay until deregistered.
 * @throws InvalidArgumentError when `ttlMs` is not a positive number or `clock` is not a Clock.
 */
export function createMemoryRegistry(options: MemoryRegistryOptions = {}): MemoryRegistry {
  const clock = checkClock(options.clock, `${NAME}: createMemoryRegistry`);
  const ttlMs = checkTtl(options.ttlMs, `${NAME}: createMemoryRegistry`);
  return new InMemoryRegistry(clock, ttlMs);
}
