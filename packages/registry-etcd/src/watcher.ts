import { inspect } from "node:util";
import {
  type RegistryCallOptions,
  type ServiceInstance,
  sameInstances,
  type Watcher,
  WatcherStoppedError,
} from "@switchyard/api";
import { holdProcess } from "@switchyard/kit";
import { type MirrorDeps, ServiceMirror } from "./mirror.js";

type List = readonly ServiceInstance[];

interface Waiter {
  readonly resolve: (list: List) => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * Follows one service in etcd. The first `next()` gives the list once the prefix has been read;
 * later calls wait until the list differs from the one last given. Changes that arrive together
 * (a burst of registrations) reach a waiting `next()` as one list, on a later turn of the event
 * loop, and a consumer that calls `next()` rarely gets only the latest list. Errors never reach
 * `next()`: the last good list stays while the watch is retried. While a `next()` is pending the
 * process is held alive: the watch stream keeps a connection open, but retries after a failure
 * run on unref'd timers, and a `for await` must not end with exit code 13 while etcd is away.
 */
export class EtcdWatcher implements Watcher {
  private readonly service: string;
  private readonly mirror: ServiceMirror;
  private readonly detach: (watcher: EtcdWatcher) => void;
  private readonly waiters = new Set<Waiter>();
  private readonly watchSignal: AbortSignal | undefined;
  private readonly onWatchAbort: () => void;
  private delivered: List | undefined = undefined;
  private scheduled = false;
  private stopped = false;
  private stopReason = "";
  private release: (() => void) | undefined = undefined;

  /** `detach` runs once, when the watcher stops. */
  constructor(
    deps: MirrorDeps,
    service: string,
    signal: AbortSignal | undefined,
    detach: (watcher: EtcdWatcher) => void,
  ) {
    this.service = service;
    this.detach = detach;
    this.mirror = new ServiceMirror(deps, service, this.schedule);
    this.watchSignal = signal;
    this.onWatchAbort = () => this.halt("its watch signal was aborted");
    if (signal?.aborted) {
      this.onWatchAbort();
    } else {
      signal?.addEventListener("abort", this.onWatchAbort, { once: true });
      this.mirror.start();
    }
  }

  /** Whether the watcher has stopped (by `stop()`, its watch signal, or its registry closing). */
  get isStopped(): boolean {
    return this.stopped;
  }

  /**
   * Resolves with the current list on the first call (once etcd has been read), later with the
   * next list that differs from the one last given.
   * @throws WatcherStoppedError (as a rejection) when the watcher is or gets stopped; the signal's
   * reason when `signal` is or gets aborted (the watcher stays usable).
   */
  next(options?: RegistryCallOptions): Promise<List> {
    if (this.stopped) return Promise.reject(this.stoppedError());
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const list = this.mirror.current();
    if (list !== undefined && this.isNew(list)) {
      this.delivered = list;
      for (const waiter of this.drain()) waiter.resolve(list); // calls already waiting get it too
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

  /** Ends the watch at once: cancels the etcd watch and rejects pending `next()` calls. Idempotent. */
  stop(): Promise<void> {
    this.halt("it was stopped");
    return Promise.resolve();
  }

  /** Stops the watcher, saying why in the errors its callers get. Idempotent. */
  halt(why: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stopReason = why;
    this.watchSignal?.removeEventListener("abort", this.onWatchAbort);
    this.mirror.stop();
    this.detach(this);
    for (const waiter of this.drain()) waiter.reject(this.stoppedError());
  }

  /** What `console.log` shows: the service and whether it stopped (the etcd client stays hidden). */
  [inspect.custom](): string {
    return `EtcdWatcher ${inspect({ service: this.service, stopped: this.stopped })}`;
  }

  [Symbol.asyncIterator](): AsyncIterator<List, undefined> {
    return {
      next: () =>
        this.next().then(
          (value): IteratorResult<List, undefined> => ({ done: false, value }),
          (error: unknown) => {
            if (this.stopped) return DONE;
            throw error;
          },
        ),
      return: async () => {
        await this.stop();
        return DONE;
      },
    };
  }

  /** Wakes waiters on a later turn, so that changes arriving together are given as one list. */
  private readonly schedule = (): void => {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(this.notify);
  };

  private readonly notify = (): void => {
    this.scheduled = false;
    if (this.stopped || this.waiters.size === 0) return;
    const list = this.mirror.current();
    if (list === undefined || !this.isNew(list)) return;
    this.delivered = list;
    for (const waiter of this.drain()) waiter.resolve(list);
  };

  private isNew(list: List): boolean {
    const delivered = this.delivered;
    if (delivered === undefined) return true;
    if (delivered === list) return false;
    if (!sameInstances(delivered, list)) return true;
    this.delivered = list; // equal content: keep the newer object so the next compare is by identity
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
      `etcd: the watcher of ${JSON.stringify(this.service)} no longer yields because ${this.stopReason}; call watch() again to follow the service`,
    );
  }
}
