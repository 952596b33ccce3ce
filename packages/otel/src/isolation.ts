import type { Logger } from "@switchyard/api";
import { errorMessage, warnSafely } from "@switchyard/kit";

/** A throw inside the instrumentation is reported at its first occurrence, then at most this often, ms. */
export const REPORT_INTERVAL_MS = 60_000;

/**
 * Keeps the instrumentation's own failures (a meter, an instrument, a span or a span processor that
 * throws) away from the calls it observes: each is caught where it happens and reported through
 * the logger, the first at once and then at most once per {@link REPORT_INTERVAL_MS}, with the
 * number left unreported.
 */
export class Isolation {
  private readonly logger: Logger | undefined;
  private lastReport = Number.NEGATIVE_INFINITY;
  private unreported = 0;

  constructor(logger: Logger | undefined) {
    this.logger = logger;
  }

  /** Runs `work`, reporting a throw. */
  run(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.report(error);
    }
  }

  report(error: unknown): void {
    const now = Date.now();
    if (now - this.lastReport < REPORT_INTERVAL_MS) {
      this.unreported++;
      return;
    }
    const skipped = this.unreported;
    this.lastReport = now;
    this.unreported = 0;
    const since = skipped > 0 ? ` (${skipped} more since the last report)` : "";
    warnSafely(
      this.logger,
      `@switchyard/otel: recording telemetry threw (${errorMessage(error)})${since}; the call went on ` +
        "and this event was not recorded. Check the meter provider, its readers and the span processors. " +
        "Further throws are reported at most once a minute.",
      { error, unreported: skipped },
    );
  }
}
