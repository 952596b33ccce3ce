import type { Clock, TimerHandle } from "@switchyard/api";

/**
 * The abort signal of one request with a timeout: it aborts when the caller's `signal` does (with
 * that signal's reason) or when `timeoutMs` passes on `clock` (with `Error("timed out")`, and
 * `timedOut` turns true), so a caller can tell its own abort from a timeout. Call `done()` when
 * the request has ended, so that no timer or listener is left behind; it is idempotent.
 */
export class RequestDeadline {
  /** The signal to hand to the request. */
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly clock: Clock;
  private readonly caller: AbortSignal | undefined;
  private readonly timer: TimerHandle;
  private expired = false;

  constructor(clock: Clock, timeoutMs: number, signal?: AbortSignal) {
    this.signal = this.controller.signal;
    this.clock = clock;
    this.caller = signal;
    signal?.addEventListener("abort", this.onAbort, { once: true });
    this.timer = clock.setTimeout(() => {
      this.expired = true;
      this.controller.abort(new Error("timed out"));
    }, timeoutMs);
  }

  /** Whether the request was aborted because its time ran out. */
  get timedOut(): boolean {
    return this.expired;
  }

  /** Clears the timer and stops following the caller's signal. */
  done(): void {
    this.clock.clearTimeout(this.timer);
    this.caller?.removeEventListener("abort", this.onAbort);
  }

  private readonly onAbort = (): void => this.controller.abort(this.caller?.reason);
}
