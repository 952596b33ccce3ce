// TO BE REPLACED by @switchyard/kit: the watcher delivery queue (ListWatcher), backoff and the
// clock/logger option checks are moving into kit, with these names and shapes. Until then this file
// stands in for them; once kit exports them, import them from there and delete this file.
import {
  type Clock,
  InvalidArgumentError,
  type Logger,
  type RegistryCallOptions,
  type ServiceInstance,
  sameInstances,
  systemClock,
  type Watcher,
  WatcherStoppedError,
} from "@switchyard/api";
import { holdProcess } from "@switchyard/kit";

type List = readonly ServiceInstance[];

export interface BackoffSettings {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly multiplier: number;
  readonly jitter: number;
  readonly random: () => number;
}

export interface Backoff {
  next(): number;
  reset(): void;
}

export function checkBackoff(options: unknown, check: { where: string; name: string }): BackoffSettings {
  const fail = (message: string): never => {
    throw new InvalidArgumentError(`${check.where}: ${check.name}.${message}`);
  };
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new InvalidArgumentError(
      `${check.where}: ${check.name} must be an object such as { initialMs: 1000 }`,
    );
  }
  const given = (options ?? {}) as Partial<BackoffSettings>;
  const ms = (value: unknown): value is number =>
    typeof value === "number" && Number.isFinite(value) && value > 0;
  const maxMs = given.maxMs ?? 30_000;
  if (!ms(maxMs)) fail(`maxMs must be a positive number of milliseconds, got ${String(maxMs)}`);
  const initialMs = given.initialMs ?? Math.min(1000, maxMs);
  if (!ms(initialMs)) fail(`initialMs must be a positive number of milliseconds, got ${String(initialMs)}`);
  if (initialMs > maxMs) fail(`initialMs (${initialMs}) must not exceed ${check.name}.maxMs (${maxMs})`);
  const multiplier = given.multiplier ?? 1.6;
  if (typeof multiplier !== "number" || !(multiplier >= 1) || !Number.isFinite(multiplier)) {
    fail(`multiplier must be a number ≥ 1, got ${String(multiplier)}`);
  }
  const jitter = given.jitter ?? 0.2;
  if (typeof jitter !== "number" || !(jitter >= 0 && jitter <= 1))
    fail(`jitter must be a fraction from 0 to 1, got ${String(jitter)}`);
  const random = given.random ?? Math.random;
  if (typeof random !== "function") fail("random must be a function returning a number in [0, 1)");
  return { initialMs, maxMs, multiplier, jitter, random };
}

export function createBackoff(settings: BackoffSettings, _component: string): Backoff {
  let base = settings.initialMs;
  return {
    next() {
      const delay = base;
      base = Math.min(base * settings.multiplier, settings.maxMs);
      const draw = settings.random();
      return delay * (1 - settings.jitter * (draw >= 0 && draw <= 1 ? draw : 0));
    },
    reset() {
      base = settings.initialMs;
    },
  };
}

export function checkClock(value: unknown, where: string): Clock {
  if (value === undefined) return systemClock;
  const clock = value as Partial<Clock> | null;
  if (
    typeof clock?.now !== "function" ||
    typeof clock.setTimeout !== "function" ||
    typeof clock.clearTimeout !== "function"
  ) {
    throw new InvalidArgumentError(
      `${where}: clock must have now(), setTimeout() and clearTimeout(); leave it out for the system clock`,
    );
  }
  return clock as Clock;
}

export function checkLogger(value: unknown, where: string): Logger {
  if (value === undefined) return console;
  if (typeof (value as Logger | null)?.warn !== "function") {
    throw new InvalidArgumentError(
      `${where}: logger must have a warn(message, details) method; console fits`,
    );
  }
  return value as Logger;
}

interface Waiter {
  readonly resolve: (list: List) => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

export interface ListWatcherOptions {
  readonly label: string;
  readonly signal?: AbortSignal | undefined;
  readonly onStop?: (error: WatcherStoppedError, watcher: ListWatcher) => void;
}

export class ListWatcher implements Watcher {
  private readonly options: ListWatcherOptions;
  private readonly waiters = new Set<Waiter>();
  private readonly onWatchAbort = (): void =>
    this.halt("its watch signal was aborted", this.options.signal?.reason);
  private offered: List | undefined = undefined;
  private delivered: List | undefined = undefined;
  private stopped = false;
  private why = "";
  private cause: unknown = undefined;
  private release: (() => void) | undefined = undefined;

  constructor(options: ListWatcherOptions) {
    this.options = options;
    if (options.signal?.aborted) this.onWatchAbort();
    else options.signal?.addEventListener("abort", this.onWatchAbort, { once: true });
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  next(options?: RegistryCallOptions): Promise<List> {
    if (this.stopped) return Promise.reject(this.stoppedError());
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.offered !== undefined && this.isNew(this.offered)) {
      this.deliver(this.offered);
      return Promise.resolve(this.offered);
    }
    return new Promise<List>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          this.waiters.delete(waiter);
          this.releaseIfIdle();
          reject(signal?.reason);
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.waiters.add(waiter);
      this.release ??= holdProcess();
    });
  }

  stop(): Promise<void> {
    this.halt("it was stopped");
    return Promise.resolve();
  }

  offer(list: List): void {
    if (this.stopped) return;
    this.offered = list;
    if (this.waiters.size > 0 && this.isNew(list)) this.deliver(list);
  }

  halt(why: string, cause?: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.why = why;
    this.cause = cause;
    this.options.signal?.removeEventListener("abort", this.onWatchAbort);
    this.options.onStop?.(this.stoppedError(), this);
    for (const waiter of this.drain()) waiter.reject(this.stoppedError());
  }

  [Symbol.asyncIterator](): AsyncIterator<List, undefined> {
    return {
      next: () =>
        this.next().then(
          (value): IteratorResult<List, undefined> => ({ done: false, value }),
          (error: unknown): IteratorResult<List, undefined> => {
            if (this.stopped) return { done: true, value: undefined };
            throw error;
          },
        ),
      return: async (): Promise<IteratorResult<List, undefined>> => {
        await this.stop();
        return { done: true, value: undefined };
      },
    };
  }

  private deliver(list: List): void {
    this.delivered = list;
    for (const waiter of this.drain()) waiter.resolve(list);
  }

  private isNew(list: List): boolean {
    if (this.delivered === undefined) return true;
    if (this.delivered === list) return false;
    if (!sameInstances(this.delivered, list)) return true;
    this.delivered = list;
    return false;
  }

  private drain(): Waiter[] {
    const waiters = [...this.waiters];
    this.waiters.clear();
    this.releaseIfIdle();
    for (const waiter of waiters) waiter.signal?.removeEventListener("abort", waiter.onAbort);
    return waiters;
  }

  private releaseIfIdle(): void {
    if (this.waiters.size > 0 || this.release === undefined) return;
    this.release();
    this.release = undefined;
  }

  private stoppedError(): WatcherStoppedError {
    return new WatcherStoppedError(
      `${this.options.label} no longer yields because ${this.why}; call watch() again to follow the service`,
      { cause: this.cause },
    );
  }
}
