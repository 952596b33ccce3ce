import type { ServiceInstance } from "@switchyard/api";
import { sameInstances } from "@switchyard/api";
import { holdProcess } from "@switchyard/kit";

type List = readonly ServiceInstance[];

interface Waiter {
  readonly resolve: (list: List) => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

/**
 * Hands a watcher's lists to its `next()` callers: the first call gets the latest list, later
 * calls the next one that differs from the list last handed out. Several changes between two
 * calls give one list; a change back to an equal list gives none. While any caller waits, the
 * process is held alive: a blocking query keeps a socket open, but the retry timer after an error
 * is unref'd, and a `for await` must not end with exit code 13 while the agent is away.
 */
export class ListDelivery {
  private readonly waiters = new Set<Waiter>();
  private latestList: List | undefined = undefined;
  private delivered: List | undefined = undefined;
  private release: (() => void) | undefined = undefined;

  /** The last list offered, whether handed out or not. */
  get latest(): List | undefined {
    return this.latestList;
  }

  /** A list now when one is new to the caller, else a promise for the next one. */
  take(signal: AbortSignal | undefined): Promise<List> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const latest = this.latestList;
    if (latest !== undefined && this.isNew(latest)) {
      this.delivered = latest;
      return Promise.resolve(latest);
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

  /** Records the latest list; wakes waiting callers when it differs from the one last handed out. */
  offer(list: List): void {
    this.latestList = list;
    if (this.waiters.size === 0 || !this.isNew(list)) return;
    this.delivered = list;
    for (const waiter of this.drain()) waiter.resolve(list);
  }

  /** Rejects every waiting caller with `error`. */
  fail(error: () => unknown): void {
    for (const waiter of this.drain()) waiter.reject(error());
  }

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
}
