// INTERIM, TO BE REPLACED: the watcher plumbing (ListWatcher) and the backoff are moving into
// @switchyard/kit. Until that lands, this file holds the least of both that this registry needs,
// with kit's names and shapes, so that the switch is an import change and this file's deletion.
import {
  type RegistryCallOptions,
  type ServiceInstance,
  sameInstances,
  type Watcher,
  WatcherStoppedError,
} from "@switchyard/api";
import { holdProcess } from "@switchyard/kit";

type List = readonly ServiceInstance[];

/** Exponential backoff with jitter and a cap. */
export interface Backoff {
  next(): number;
  reset(): void;
}

/** A backoff from checked settings (see the settings for the checks and defaults). */
export function createBackoff(settings: {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly multiplier: number;
  readonly jitter: number;
  readonly random: () => number;
}): Backoff {
  let base = settings.initialMs;
  return {
    next() {
      const delay = base;
      base = Math.min(base * settings.multiplier, settings.maxMs);
      const draw = settings.random();
      return delay * (1 - settings.jitter * (draw >= 0 && draw < 1 ? draw : 0.5));
    },
    reset() {
      base = settings.initialMs;
    },
  };
}

interface Waiter {
  readonly resolve: (list: List) => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

/**
 * A Watcher over whole lists: the first `next()` gives the current list (or waits for the first),
 * later ones the next list that differs (`sameInstances`); stop, the watch signal or `halt()` end
 * it (pending calls reject with WatcherStoppedError); a pending `next()` holds the process alive.
 */
export class ListWatcher implements Watcher {
  private readonly label: string;
  private readonly onStop: (error: WatcherStoppedError) => void;
  private readonly watchSignal: AbortSignal | undefined;
  private readonly onWatchAbort = (): void => this.halt("its watch signal was aborted");
  private readonly waiters = new Set<Waiter>();
  private offered: List | undefined = undefined;
  private delivered: List | undefined = undefined;
  private stopped = false;
  private why = "";
  private release: (() => void) | undefined = undefined;

  constructor(options: {
    label: string;
    signal?: AbortSignal | undefined;
    onStop: (error: WatcherStoppedError) => void;
  }) {
    this.label = options.label;
    this.onStop = options.onStop;
    this.watchSignal = options.signal;
    if (options.signal?.aborted) this.halt("its watch signal was aborted");
    else options.signal?.addEventListener("abort", this.onWatchAbort, { once: true });
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  next(options?: RegistryCallOptions): Promise<List> {
    if (this.stopped) return Promise.reject(this.stoppedError());
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const list = this.offered;
    if (list !== undefined && this.isNew(list)) {
      this.deliver(list);
      return Promise.resolve(list);
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

  halt(why: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.why = why;
    this.watchSignal?.removeEventListener("abort", this.onWatchAbort);
    this.onStop(this.stoppedError());
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
      `${this.label} no longer yields because ${this.why}; call watch() again to follow the service`,
    );
  }
}
