// A scripted Discovery for the resolver tests: each watch() gives a watcher the test drives by hand.
import {
  type Clock,
  type Discovery,
  type Logger,
  type RegistryCallOptions,
  type ServiceInstance,
  type Watcher,
  WatcherStoppedError,
} from "@switchyard/api";
import { createFakeClock, type FakeClock, flushMicrotasks } from "@switchyard/testkit";
import { createResolver } from "../src/resolver.js";
import type { Resolver, ResolverOptions } from "../src/resolver-api.js";
import type { ResolverUpdate } from "../src/resolver-update.js";

type Step = { readonly list: readonly ServiceInstance[] } | { readonly error: unknown };

interface Pending {
  resolve(list: readonly ServiceInstance[]): void;
  reject(error: unknown): void;
}

/** A watcher whose `next()` results the test supplies with `push`, `fail` and `end`. */
export class ScriptedWatcher implements Watcher {
  readonly signal: AbortSignal | undefined;
  /** When set, `stop()` leaves a pending `next()` pending, so a result can still arrive after it. */
  readonly stubborn: boolean;
  stopCalls = 0;
  nextCalls = 0;
  private stopped = false;
  private readonly queue: Step[] = [];
  private pending: Pending | undefined = undefined;

  constructor(signal: AbortSignal | undefined, stubborn: boolean) {
    this.signal = signal;
    this.stubborn = stubborn;
  }

  next(_options?: RegistryCallOptions): Promise<readonly ServiceInstance[]> {
    this.nextCalls++;
    if (this.stopped) return Promise.reject(new WatcherStoppedError("fake watcher: stopped"));
    const step = this.queue.shift();
    if (step !== undefined) return "list" in step ? Promise.resolve(step.list) : Promise.reject(step.error);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
    });
  }

  /** Delivers an instance list (queued when no `next()` is waiting). */
  push(list: readonly ServiceInstance[]): void {
    this.settle({ list });
  }

  /** Fails the current or next `next()`. */
  fail(error: unknown): void {
    this.settle({ error });
  }

  /** The registry ends the watch: the waiting and every later `next()` reject as stopped. */
  end(): void {
    this.settle({ error: new WatcherStoppedError("fake watcher: ended by the registry") });
    this.stopped = true;
  }

  async stop(): Promise<void> {
    this.stopCalls++;
    if (this.stopped) return;
    this.stopped = true;
    if (!this.stubborn) this.settle({ error: new WatcherStoppedError("fake watcher: stopped") });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<readonly ServiceInstance[]> {
    for (;;) yield await this.next();
  }

  private settle(step: Step): void {
    const pending = this.pending;
    if (pending === undefined) {
      this.queue.push(step);
      return;
    }
    this.pending = undefined;
    if ("list" in step) pending.resolve(step.list);
    else pending.reject(step.error);
  }
}

/** A Discovery whose watchers the test drives; records when each watch started. */
export class FakeDiscovery implements Discovery {
  readonly watchers: ScriptedWatcher[] = [];
  readonly watchTimes: number[] = [];
  readonly names: string[] = [];
  /** Errors the next watch() calls throw, in order. */
  readonly watchThrows: unknown[] = [];
  /** Prepares each new watcher before the resolver sees it (e.g. queue a list or an error). */
  onWatch: ((watcher: ScriptedWatcher) => void) | undefined = undefined;
  stubborn = false;
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** The most recent watcher. */
  get latest(): ScriptedWatcher {
    const watcher = this.watchers.at(-1);
    if (watcher === undefined) throw new Error("fake discovery: watch() was not called yet");
    return watcher;
  }

  async getService(): Promise<readonly ServiceInstance[]> {
    return [];
  }

  watch(serviceName: string, options?: RegistryCallOptions): Watcher {
    this.names.push(serviceName);
    this.watchTimes.push(this.clock.now());
    if (this.watchThrows.length > 0) throw this.watchThrows.shift();
    const watcher = new ScriptedWatcher(options?.signal, this.stubborn);
    this.watchers.push(watcher);
    this.onWatch?.(watcher);
    return watcher;
  }
}

/** A logger that keeps what it is told. */
export class RecordingLogger implements Logger {
  readonly warnings: string[] = [];
  readonly details: (Readonly<Record<string, unknown>> | undefined)[] = [];

  warn(message: string, details?: Readonly<Record<string, unknown>>): void {
    this.warnings.push(message);
    this.details.push(details);
  }

  debug(): void {}

  /** Warnings that contain `text`. */
  matching(text: string): string[] {
    return this.warnings.filter((w) => w.includes(text));
  }
}

/** A registry instance of "helloworld". */
export function instance(
  id: string,
  endpoints: readonly string[],
  extra: Partial<Omit<ServiceInstance, "id" | "endpoints">> = {},
): ServiceInstance {
  return { id, name: "helloworld", version: "1.0.0", metadata: {}, endpoints, ...extra };
}

/** `count` instances with one http endpoint each, at 10.0.x.y:8000. */
export function httpInstances(count: number, offset = 0): ServiceInstance[] {
  return Array.from({ length: count }, (_, k) => {
    const i = k + offset;
    return instance(`i${i}`, [`http://10.0.${i >> 8}.${i & 255}:8000`]);
  });
}

/** Everything a resolver test needs: a resolver over a fake discovery, clock and logger. */
export interface Harness {
  readonly clock: FakeClock;
  readonly discovery: FakeDiscovery;
  readonly logger: RecordingLogger;
  readonly updates: ResolverUpdate[];
  readonly errors: unknown[];
  readonly resolver: Resolver;
  /** Lets the resolver start its watch; returns the watcher. */
  started(): Promise<ScriptedWatcher>;
  /** The addresses of the last update. */
  addresses(): string[];
}

/** Builds a {@link Harness}; backoff has no jitter unless `overrides` set one. */
export function harness(
  overrides: Partial<ResolverOptions> = {},
  prepare?: (discovery: FakeDiscovery) => void,
): Harness {
  const clock = createFakeClock();
  const discovery = new FakeDiscovery(clock);
  prepare?.(discovery);
  const logger = new RecordingLogger();
  const updates: ResolverUpdate[] = [];
  const errors: unknown[] = [];
  const resolver = createResolver({
    discovery,
    serviceName: "helloworld",
    family: "http",
    subsetKey: "client-a",
    clock,
    logger,
    backoff: { initialMs: 1000, maxMs: 30_000, multiplier: 2, jitter: 0 },
    onUpdate: (update) => updates.push(update),
    onError: (error) => errors.push(error),
    ...overrides,
  });
  return {
    clock,
    discovery,
    logger,
    updates,
    errors,
    resolver,
    async started() {
      await flushMicrotasks();
      return discovery.latest;
    },
    addresses: () => (updates.at(-1)?.nodes ?? []).map((n) => n.address),
  };
}

/** A watcher of {@link MemoryLikeDiscovery}: yields the whole list at once, then on every change. */
class MemoryLikeWatcher implements Watcher {
  private readonly discovery: MemoryLikeDiscovery;
  private changed = true;
  private stopped = false;
  private pending: Pending | undefined = undefined;

  constructor(discovery: MemoryLikeDiscovery) {
    this.discovery = discovery;
  }

  next(): Promise<readonly ServiceInstance[]> {
    if (this.stopped) return Promise.reject(new WatcherStoppedError("memory-like watcher: stopped"));
    if (this.changed) {
      this.changed = false;
      return Promise.resolve(this.discovery.list());
    }
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
    });
  }

  /** The list changed: wakes a waiting `next()`, or marks the change for the next one. */
  notify(): void {
    const pending = this.pending;
    this.pending = undefined;
    if (pending !== undefined) pending.resolve(this.discovery.list());
    else this.changed = true;
  }

  /** The registry fails this watch (its waiting or next `next()` rejects). */
  fail(error: unknown): void {
    this.stopped = true;
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(error);
  }

  async stop(): Promise<void> {
    this.fail(new WatcherStoppedError("memory-like watcher: stopped"));
  }

  async *[Symbol.asyncIterator](): AsyncIterator<readonly ServiceInstance[]> {
    for (;;) yield await this.next();
  }
}

/** A Discovery shaped like registry-memory: `register`/`deregister`, and watches of the whole list. */
export class MemoryLikeDiscovery implements Discovery {
  private readonly instances = new Map<string, ServiceInstance>();
  private readonly watchers = new Set<MemoryLikeWatcher>();

  register(instance: ServiceInstance): void {
    this.instances.set(instance.id, instance);
    for (const watcher of this.watchers) watcher.notify();
  }

  /** Fails every open watch with `error`, as a registry connection loss would. */
  failWatches(error: unknown): void {
    for (const watcher of this.watchers) watcher.fail(error);
    this.watchers.clear();
  }

  list(): readonly ServiceInstance[] {
    return [...this.instances.values()];
  }

  async getService(): Promise<readonly ServiceInstance[]> {
    return this.list();
  }

  watch(): Watcher {
    const watcher = new MemoryLikeWatcher(this);
    this.watchers.add(watcher);
    return watcher;
  }
}
