// The user's `isFailure` predicate of the ewma and direct nodes, isolated: a throw is reported
// (rarely) and the completion is classified by the built-in rules alone, so a bug in the predicate
// can neither make a `done` callback throw nor flood the logs.

import { type Clock, type DoneInfo, InvalidArgumentError, type Logger } from "@switchyard/api";
import { errorMessage, ThrottledReport } from "@switchyard/kit";
import { isNodeFailure } from "./failure.js";

/**
 * A throwing `isFailure` is reported at its first throw, then at most once per this interval, ms
 * (with the number of throws left unreported since the previous report).
 */
export const IS_FAILURE_REPORT_INTERVAL_MS = 60_000;

/** One per node builder: every node of the builder shares the predicate and its reporting. */
export class IsFailureGuard {
  private readonly predicate: (info: DoneInfo) => boolean;
  private readonly component: string;
  private readonly reports: ThrottledReport;

  constructor(
    predicate: (info: DoneInfo) => boolean,
    logger: Logger | undefined,
    clock: Clock,
    component = "ewma",
  ) {
    this.predicate = predicate;
    this.component = component;
    this.reports = new ThrottledReport(logger, clock, IS_FAILURE_REPORT_INTERVAL_MS);
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
    this.reports.report(
      "throw",
      (since) =>
        `${this.component}: isFailure threw (${errorMessage(thrown)}); the call was classified by the built-in rules alone${since}. ` +
        "Fix the predicate: info.error, info.httpStatus and info.grpcStatus are undefined when they do not apply. " +
        `Further throws are reported at most once a minute.`,
      { error: thrown },
    );
  }
}

/**
 * Whether a completion counts as a failure of its node: the built-in classes (`isNodeFailure`) or
 * the user's predicate, isolated. The predicate is not called for a completion without `info`.
 */
export function classify(info: DoneInfo | undefined, guard: IsFailureGuard | undefined): boolean {
  return isNodeFailure(info) || (guard !== undefined && info !== undefined && guard.test(info));
}

/**
 * The `isFailure` and `logger` options of a node builder, checked: the guard to classify with, or
 * `undefined` without a predicate.
 * @throws InvalidArgumentError when `isFailure` is not a function or the logger has no `warn`.
 */
export function isFailureGuard(
  options: { readonly isFailure?: (info: DoneInfo) => boolean; readonly logger?: Logger },
  clock: Clock,
  component: string,
): IsFailureGuard | undefined {
  const { isFailure, logger } = options;
  if (isFailure !== undefined && typeof isFailure !== "function") {
    throw new InvalidArgumentError(`${component}: isFailure must be a function, got ${typeof isFailure}`);
  }
  if (
    logger !== undefined &&
    (typeof logger !== "object" || logger === null || typeof logger.warn !== "function")
  ) {
    throw new InvalidArgumentError(
      `${component}: logger must be an object with a warn(message, details) method`,
    );
  }
  return isFailure === undefined ? undefined : new IsFailureGuard(isFailure, logger, clock, component);
}
