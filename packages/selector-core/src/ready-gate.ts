import type { Clock } from "@switchyard/api";
import { holdProcess } from "@switchyard/kit";

type Settle = (error?: unknown) => void;

/** The longest delay a Node.js timer can hold, ms. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The pending `ready()` calls of a resolver: each waits, with its own timeout and abort signal,
 * until the gate opens or fails. Timers go through the clock and are cleared when a wait ends.
 * The clock's timers are unref'd (the watch loop must never keep a process alive), so each
 * pending wait holds the process open itself ({@link holdProcess}) until it settles: without that,
 * `await resolver.ready()` with nothing else scheduled would end the process with exit code 13
 * (unsettled top-level await) long before the timeout.
 */
export class ReadyGate {
  private readonly clock: Clock;
  private readonly waiters = new Set<Settle>();

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /**
   * Resolves at the next {@link ReadyGate.open}; rejects at the next {@link ReadyGate.fail}, with
   * `onTimeout()` after `timeoutMs` (`Infinity`: never), or with the reason of `signal` when it
   * aborts. The caller checks that `signal` is not already aborted.
   */
  wait(timeoutMs: number, signal: AbortSignal | undefined, onTimeout: () => Error): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => settle(signal?.reason);
      // Node's timers hold at most 2^31 - 1 ms (24.8 days) and fire at once past it: wait forever then.
      const timer =
        Number.isFinite(timeoutMs) && timeoutMs <= MAX_TIMER_MS
          ? this.clock.setTimeout(() => settle(onTimeout()), timeoutMs)
          : undefined;
      const settle: Settle = (error) => {
        this.waiters.delete(settle);
        if (timer !== undefined) this.clock.clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        release();
        if (error === undefined) resolve();
        else reject(error);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      // Taken last, once nothing above can throw: a hold that no settle releases would keep the
      // process alive for good.
      const release = holdProcess();
      this.waiters.add(settle);
    });
  }

  /** Resolves every pending wait. */
  open(): void {
    for (const settle of [...this.waiters]) settle();
  }

  /** Rejects every pending wait with `error`. */
  fail(error: Error): void {
    for (const settle of [...this.waiters]) settle(error);
  }
}
