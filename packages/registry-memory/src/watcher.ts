import {
  type RegistryCallOptions,
  type ServiceInstance,
  sameInstances,
  type Watcher,
  WatcherStoppedError,
} from "@switchyard/api";
import { holdProcess } from "@switchyard/kit";

/** Where a {@link MemoryWatcher} reads its list, and whom it tells when it stops. */
export interface WatchSource {
  /** The service's current list, frozen. */
  current(): readonly ServiceInstance[];
  /** Forgets the watcher; called once, when it stops. */
  detach(watcher: MemoryWatcher): void;
}

type List = readonly ServiceInstance[];

interface Waiter {
  readonly resolve: (list: List) => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The watcher of one service in an in-process registry or static list. The first `next()` gives
 * the list as it is; later calls wait until the list differs from the one last given, so several
 * changes between two calls give one list, and a change back to an equal list gives none.
 * Async iteration ends when the watcher stops; `break` out of a `for await` stops it. While a
 * `next()` is pending the process stays alive (a `for await` over a registry that changes only
 * later must not let Node exit); a stopped watcher holds nothing.
 */
export class MemoryWatcher implements Watcher {
  private readonly source: WatchSource;
  private readonly label: string;
  private readonly waiters = new Set<Waiter>();
  private delivered: List | undefined = undefined;
  private ended = false;
  private stopMessage = "";
  private stopCause: unknown = undefined;
  private readonly watchSignal: AbortSignal | undefined;
  private readonly onWatchAbort: () => void;
  /** Releases the hold on the process that pending `next()` calls keep; set while any is pending. */
  private release: (() => void) | undefined = undefined;

  /** `label` names the watcher in errors, such as `memory registry: the watcher of "api"`. */
  constructor(source: WatchSource, label: string, signal: AbortSignal | undefined) {
    this.source = source;
    this.label = label;
    this.watchSignal = signal;
    this.onWatchAbort = () => this.halt("its watch signal was aborted", signal?.reason);
    if (signal?.aborted) this.onWatchAbort();
    else signal?.addEventListener("abort", this.onWatchAbort, { once: true });
  }

  /**
   * Resolves with the current list on the first call, later with the next list that differs from
   * the one last given.
   * @throws WatcherStoppedError (as a rejection) when the watcher is or gets stopped; the signal's
   * reason when `signal` is or gets aborted (the watcher stays usable).
   */
  next(options?: RegistryCallOptions): Promise<List> {
    if (this.ended) return Promise.reject(this.stoppedError());
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const list = this.source.current();
    if (this.isNew(list)) {
      this.delivered = list;
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

  /** Whether the watcher has stopped (by `stop()`, its watch signal, or its source closing). */
  get isStopped(): boolean {
    return this.ended;
  }

  /** Ends the watch: pending and later `next()` calls reject with WatcherStoppedError. Idempotent. */
  stop(): Promise<void> {
    this.halt("it was stopped", undefined);
    return Promise.resolve();
  }

  /** Tells the watcher its source changed; wakes pending `next()` calls when the list is new. */
  offer(list: List): void {
    if (this.waiters.size === 0 || !this.isNew(list)) return;
    this.delivered = list;
    for (const waiter of this.drain()) waiter.resolve(list);
  }

  /** Stops the watcher, saying why in the errors its callers get. Idempotent. */
  halt(why: string, cause: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.stopMessage = why;
    this.stopCause = cause;
    this.watchSignal?.removeEventListener("abort", this.onWatchAbort);
    this.source.detach(this);
    for (const waiter of this.drain()) waiter.reject(this.stoppedError());
  }

  [Symbol.asyncIterator](): AsyncIterator<List, undefined> {
    return {
      next: () =>
        this.next().then(
          (value): IteratorResult<List, undefined> => ({ done: false, value }),
          (error: unknown) => {
            if (this.ended) return DONE;
            throw error;
          },
        ),
      return: async () => {
        await this.stop();
        return DONE;
      },
    };
  }

  private isNew(list: List): boolean {
    const delivered = this.delivered;
    if (delivered === undefined) return true;
    if (delivered === list) return false;
    if (!sameInstances(delivered, list)) return true;
    this.delivered = list; // equal content: remember the newer object, skip the deep compare next time
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
      `${this.label} no longer yields because ${this.stopMessage}; call watch() again to follow the service`,
      { cause: this.stopCause },
    );
  }
}
