import type { Logger } from "@switchyard/api";

/** The warning code of reports that reach `process.emitWarning` (no logger, or a logger that threw). */
export const WARNING_CODE = "SWITCHYARD_WARNING";

/** The message of anything thrown: `error.message` for errors, `String(value)` otherwise. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    return Object.prototype.toString.call(error);
  }
}

function emit(message: string, cause: unknown): void {
  try {
    const detail = cause === undefined ? undefined : errorMessage(cause);
    process.emitWarning(message, { code: WARNING_CODE, detail });
  } catch {
    // The process's own warning channel failed: nothing is left to tell.
  }
}

/**
 * Reports a problem through `logger.warn`, and never throws: a missing logger, or one whose
 * `warn` throws, sends the report to `process.emitWarning` (code {@link WARNING_CODE}) instead.
 * Every component that calls a user's logger goes through this, so a broken logger can stop
 * neither a call, a watch nor the process.
 */
export function warnSafely(
  logger: Logger | undefined,
  message: string,
  details?: Readonly<Record<string, unknown>>,
): void {
  if (logger !== undefined && logger !== null) {
    try {
      logger.warn(message, details);
      return;
    } catch (thrown) {
      emit(`${message} (the logger threw while reporting this: ${errorMessage(thrown)})`, details?.error);
      return;
    }
  }
  emit(message, details?.error);
}

/** `logger.debug` when the logger has one; never throws (a throwing `debug` is ignored). */
export function debugSafely(
  logger: Logger | undefined,
  message: string,
  details?: Readonly<Record<string, unknown>>,
): void {
  try {
    logger?.debug?.(message, details);
  } catch {
    // Debug output is optional; a logger that cannot take it loses nothing the caller needs.
  }
}

/**
 * A problem reported through {@link warnSafely} at its first occurrence, then at most once per
 * `intervalMs` on `clock`, each report saying how many occurrences went unreported since the one
 * before. For a user callback that can fail on every call (a predicate, a key function): the call
 * goes on, and the logs are not flooded.
 */
export class ThrottledReport {
  private readonly logger: Logger | undefined;
  private readonly clock: { now(): number };
  private readonly intervalMs: number;
  private lastReport = Number.NEGATIVE_INFINITY;
  private unreported = 0;

  constructor(logger: Logger | undefined, clock: { now(): number }, intervalMs: number) {
    this.logger = logger;
    this.clock = clock;
    this.intervalMs = intervalMs;
  }

  /**
   * Reports `message(since)` now, or counts the occurrence when the last report is less than the
   * interval old. `since` is empty, or ` (N more <noun>s since the last report)`; `details` gets
   * `unreported`: that N.
   */
  report(noun: string, message: (since: string) => string, details: Readonly<Record<string, unknown>>): void {
    const now = this.clock.now();
    if (now - this.lastReport < this.intervalMs) {
      this.unreported++;
      return;
    }
    const skipped = this.unreported;
    this.lastReport = now;
    this.unreported = 0;
    const since =
      skipped > 0 ? ` (${skipped} more ${noun}${skipped === 1 ? "" : "s"} since the last report)` : "";
    warnSafely(this.logger, message(since), { ...details, unreported: skipped });
  }
}
