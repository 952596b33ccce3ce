import { inspect } from "node:util";
import {
  type RegistryCallOptions,
  type ServiceInstance,
  sameInstances,
  type Watcher,
  WatcherStoppedError,
} from "@switchyard/api";
import { holdProcess } from "./keep-alive.js";
import { errorMessage, warnSafely } from "./report.js";

type List = readonly ServiceInstance[];

/** What a {@link ListWatcher} takes. */
export interface ListWatcherOptions {
  /**
   * Names the watcher in the errors of a stopped watcher, component first:
   * `my-registry: the watcher of "api"`.
   */
  readonly label: string;
  /** The `signal` given to `watch()`: aborting it stops the watcher (its reason is the error's `cause`). */
  readonly signal?: AbortSignal | undefined;
  /**
   * Reads the list as it is now, for a registry that keeps one (an in-process store, a mirror of
   * the server's data): each `next()` reads it, so a change is seen before the registry offers it.
   * `undefined` means no list yet (the first read has not finished). Default: the last list passed
   * to {@link ListWatcher.offer}.
   */
  readonly current?: () => List | undefined;
  /**
   * Runs once, when the watcher stops (by `stop()`, its signal, or {@link ListWatcher.halt}), before
   * pending `next()` calls reject: cancel the request in flight (`error` makes a good abort reason),
   * clear timers, forget the watcher. When `signal` is already aborted it runs from the constructor,
   * so the registry must be ready for it then. A throw is reported as a process warning.
   */
  readonly onStop?: (error: WatcherStoppedError, watcher: ListWatcher) => void;
}

interface Waiter {
  readonly resolve: (list: List) => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * A {@link Watcher} over whole instance lists: the part every registry shares, so that a registry
 * only finds lists and offers them. The first `next()` gives the current list (or waits for the
 * first one); later calls wait until the list differs from the one last given (`sameInstances`),
 * so several changes between two calls give one list, and a change back to an equal list gives
 * none. A list handed out goes to every caller waiting at that moment, and to the caller that
 * asked. `next({ signal })` rejects with the signal's reason and leaves the watcher usable.
 * After a stop, pending and later `next()` calls reject with `WatcherStoppedError` saying why,
 * and async iteration ends; `break` out of a `for await` stops the watcher. While a `next()` is
 * pending the process is held alive (`holdProcess`): the registry's retry timers are unref'd, and
 * a `for await` must not end with exit code 13 while its server is away.
 */
export class ListWatcher implements Watcher {
  private readonly label: string;
  private readonly current: (() => List | undefined) | undefined;
  private readonly onStop: ((error: WatcherStoppedError, watcher: ListWatcher) => void) | undefined;
  private readonly watchSignal: AbortSignal | undefined;
  private readonly onWatchAbort: () => void;
  private readonly waiters = new Set<Waiter>();
  /** The last list offered: what `next()` reads when there is no `current`. */
  private offered: List | undefined = undefined;
  /** The last list handed out (or an equal, newer object): what "changed" is measured against. */
  private delivered: List | undefined = undefined;
  private stopped = false;
  private stopReason = "";
  private stopCause: unknown = undefined;
  /** Releases the hold on the process; set while any `next()` is pending. */
  private release: (() => void) | undefined = undefined;

  constructor(options: ListWatcherOptions) {
    this.label = options.label;
    this.current = options.current;
    this.onStop = options.onStop;
    const signal = options.signal;
    this.watchSignal = signal;
    this.onWatchAbort = () => this.halt("its watch signal was aborted", signal?.reason);
    if (signal?.aborted) this.onWatchAbort();
    else signal?.addEventListener("abort", this.onWatchAbort, { once: true });
  }

  /** Whether the watcher has stopped (by `stop()`, its watch signal, or `halt()`). */
  get isStopped(): boolean {
    return this.stopped;
  }

  /**
   * Resolves with the current list on the first call (once there is one), later with the next
   * list that differs from the one last given.
   * @throws WatcherStoppedError (as a rejection) when the watcher is or gets stopped; the signal's
   * reason when `signal` is or gets aborted (the watcher stays usable).
   */
  next(options?: RegistryCallOptions): Promise<List> {
    if (this.stopped) return Promise.reject(this.stoppedError());
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const list = this.current === undefined ? this.offered : this.current();
    if (list !== undefined && this.isNew(list)) {
      this.deliver(list);
      return Promise.resolve(list);
    }
    return new Promise<List>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal !== undefined) {
        waiter.onAbort = () => {
          this.waiters.delete(waiter);
          this.releaseIfIdle();
          reject(signal.reason);
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.waiters.add(waiter);
      this.release ??= holdProcess();
    });
  }

  /** Ends the watch: pending and later `next()` calls reject with WatcherStoppedError. Idempotent. */
  stop(): Promise<void> {
    this.halt("it was stopped");
    return Promise.resolve();
  }

  /**
   * The registry found a list: it becomes the latest, and the callers waiting get it when it
   * differs from the one last given. Does nothing once the watcher stopped.
   */
  offer(list: List): void {
    if (this.stopped) return;
    this.offered = list;
    if (this.waiters.size > 0 && this.isNew(list)) this.deliver(list);
  }

  /**
   * Stops the watcher, saying why in the errors its callers get: `… no longer yields because
   * ${why}; call watch() again …` (`why` such as "the registry was closed"), with `cause`.
   * Idempotent: the first reason stays.
   */
  halt(why: string, cause?: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stopReason = why;
    this.stopCause = cause;
    this.watchSignal?.removeEventListener("abort", this.onWatchAbort);
    if (this.onStop !== undefined) {
      try {
        this.onStop(this.stoppedError(), this);
      } catch (error) {
        warnSafely(undefined, `${this.label}: stopping threw: ${errorMessage(error)}`, { error });
      }
    }
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

  /** What `console.log` shows: the label and the state, never what the registry holds. */
  [inspect.custom](): string {
    const state = { stopped: this.stopped, waiting: this.waiters.size };
    return `ListWatcher ${JSON.stringify(this.label)} ${inspect(state)}`;
  }

  /** Hands `list` out: it is the one last given now, and every waiting caller gets it. */
  private deliver(list: List): void {
    this.delivered = list;
    if (this.waiters.size === 0) return;
    for (const waiter of this.drain()) waiter.resolve(list);
  }

  private isNew(list: List): boolean {
    const delivered = this.delivered;
    if (delivered === undefined) return true;
    if (delivered === list) return false;
    if (!sameInstances(delivered, list)) return true;
    this.delivered = list; // equal content: keep the newer object, so the next compare is by identity
    return false;
  }

  private drain(): Waiter[] {
    const waiters = [...this.waiters];
    this.waiters.clear();
    this.releaseIfIdle();
    for (const waiter of waiters) {
      if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener("abort", waiter.onAbort);
    }
    return waiters;
  }

  private releaseIfIdle(): void {
    if (this.waiters.size > 0 || this.release === undefined) return;
    this.release();
    this.release = undefined;
  }

  private stoppedError(): WatcherStoppedError {
    return new WatcherStoppedError(
      `${this.label} no longer yields because ${this.stopReason}; call watch() again to follow the service`,
      { cause: this.stopCause },
    );
  }
}
