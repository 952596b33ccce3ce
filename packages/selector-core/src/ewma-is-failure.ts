// The user's `isFailure` predicate of the ewma nodes, isolated: a throw is reported (rarely) and the
// completion is classified by the built-in rules alone, so a bug in the predicate can neither make a
// `done` callback throw nor flood the logs.

import type { Clock, DoneInfo, Logger } from "@switchyard/api";
import { errorMessage, warnSafely } from "@switchyard/kit";

/**
 * A throwing `isFailure` is reported at its first throw, then at most once per this interval, ms
 * (with the number of throws left unreported since the previous report).
 */
export const IS_FAILURE_REPORT_INTERVAL_MS = 60_000;

/** One per `ewma()` builder: every node of the builder shares the predicate and its reporting. */
export class IsFailureGuard {
  private readonly predicate: (info: DoneInfo) => boolean;
  private readonly logger: Logger | undefined;
  private readonly clock: Clock;
  private lastReport = Number.NEGATIVE_INFINITY;
  private unreported = 0;

  constructor(predicate: (info: DoneInfo) => boolean, logger: Logger | undefined, clock: Clock) {
    this.predicate = predicate;
    this.logger = logger;
    this.clock = clock;
  }

  /** The predicate's verdict; `false` (no failure beyond the built-in ones) when it throws. */
  test(info: DoneInfo): boolean {
    try {
      return !!this.predicate(info);
    } catch (thrown) {
      this.report(thrown);
      return false;
    }
  }

  private report(thrown: unknown): void {
    const now = this.clock.now();
    if (now - this.lastReport < IS_FAILURE_REPORT_INTERVAL_MS) {
      this.unreported++;
      return;
    }
    const skipped = this.unreported;
    this.lastReport = now;
    this.unreported = 0;
    const since =
      skipped > 0 ? ` (${skipped} more throw${skipped === 1 ? "" : "s"} since the last report)` : "";
    warnSafely(
      this.logger,
      `ewma: isFailure threw (${errorMessage(thrown)}); the call was classified by the built-in rules alone${since}. ` +
        "Fix the predicate: info.error, info.httpStatus and info.grpcStatus are undefined when they do not apply. " +
        `Further throws are reported at most once a minute.`,
      { error: thrown, unreported: skipped },
    );
  }
}
