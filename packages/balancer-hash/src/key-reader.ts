// The user's `key` function, isolated: a throw or a value that is not a string never fails the
// call, which is then balanced as a call without a key; the problem is reported at once and then at
// most once a minute, so a bug in the function neither breaks traffic nor floods the logs.

import type { Clock, Logger, SelectContext } from "@switchyard/api";
import { errorMessage, ThrottledReport } from "@switchyard/kit";

/** A failing `key` function is reported at its first failure, then at most once per this interval, ms. */
export const KEY_REPORT_INTERVAL_MS = 60_000;

export class KeyReader {
  private readonly key: (context: SelectContext) => string | undefined;
  private readonly reports: ThrottledReport;

  constructor(key: (context: SelectContext) => string | undefined, logger: Logger | undefined, clock: Clock) {
    this.key = key;
    this.reports = new ThrottledReport(logger, clock, KEY_REPORT_INTERVAL_MS);
  }

  /** The call's key, or `undefined` when it has none or the function failed. */
  read(context: SelectContext): string | undefined {
    let key: unknown;
    try {
      key = this.key(context);
    } catch (thrown) {
      this.report(`threw (${errorMessage(thrown)})`, thrown);
      return undefined;
    }
    if (typeof key === "string" || key === undefined) return key;
    this.report(`returned ${key === null ? "null" : typeof key}, not a string or undefined`, undefined);
    return undefined;
  }

  private report(what: string, error: unknown): void {
    this.reports.report(
      "failure",
      (since) =>
        `hash: the key function ${what}; the call was balanced as one without a key${since}. Fix the ` +
        "function: it gets the select context and returns the call's key as a string, or undefined. " +
        "Further failures are reported at most once a minute.",
      { error },
    );
  }
}
