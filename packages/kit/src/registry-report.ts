// How a registry tells its user about errors it handles by itself (a retried watch, an entry it
// skipped): the logger and the `onError` option both hear of it, neither can break the registry,
// and neither ever sees one of its secrets.
import { type Logger, RegistryError } from "@switchyard/api";
import { errorMessage, warnSafely } from "./report.js";
import type { SecretSet } from "./secrets.js";

/** What a report needs of a registry's settings. */
export interface RegistryReportSettings<C> {
  readonly logger: Logger | undefined;
  /** What no report may show. */
  readonly secrets: SecretSet;
  /** The user's `onError` option, if any. */
  readonly onError: ((error: RegistryError, context: C) => void) | undefined;
}

/** The context every report carries; a registry adds its own fields (operation, service, …). */
export interface RegistryReportContext {
  /** When the failed work is retried, in ms from now. */
  readonly retryInMs?: number;
}

/** `error` itself when it holds no secret, else a copy whose message and cause are cleaned. */
export function cleanRegistryError(secrets: SecretSet, error: RegistryError): RegistryError {
  if (secrets.scrub(error) === error) return error;
  const cause = error.cause === undefined ? undefined : secrets.scrub(error.cause);
  return new RegistryError(secrets.redact(error.message), {
    status: error.status,
    retryable: error.retryable,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Anything thrown as a RegistryError: one already is stays one (cleaned of secrets); anything else
 * becomes `<where>: <what> failed: <its message>` (retryable), its message and cause cleaned.
 */
export function toRegistryError(
  where: string,
  secrets: SecretSet,
  error: unknown,
  what: string,
): RegistryError {
  if (error instanceof RegistryError) return cleanRegistryError(secrets, error);
  const message = secrets.redact(errorMessage(error));
  return new RegistryError(`${where}: ${what} failed: ${message}`, { cause: secrets.scrub(error) });
}

/**
 * Reports an error a registry handles by itself: to the logger (`warnSafely`, with `; retrying in
 * N ms` when `context.retryInMs` is set) and to `onError`. A throwing `onError` is logged as
 * `<where>: onError threw; …`, never propagated. Both see the error cleaned of secrets.
 */
export function reportRegistryError<C extends RegistryReportContext>(
  where: string,
  settings: RegistryReportSettings<C>,
  error: RegistryError,
  context: C,
): void {
  const { secrets } = settings;
  const cleaned = cleanRegistryError(secrets, error);
  const retry = context.retryInMs === undefined ? "" : `; retrying in ${Math.round(context.retryInMs)} ms`;
  const details = { ...(context as RegistryReportContext), status: cleaned.status };
  warnSafely(settings.logger, secrets.redact(`${cleaned.message}${retry}`), details);
  if (settings.onError === undefined) return;
  try {
    settings.onError(cleaned, context);
  } catch (thrown) {
    warnSafely(
      settings.logger,
      secrets.redact(`${where}: onError threw; the error it was given is logged above`),
      {
        error: secrets.scrub(thrown),
      },
    );
  }
}

/**
 * Reports each entry a registry left out of a list (`messages`: what was skipped and why, without
 * the component) as a RegistryError `<where>: <message>` that is not retryable, through
 * {@link reportRegistryError}. Messages in `known` are passed over: a watch hands in the set it
 * reported last time, so that an entry is reported once until it changes.
 */
export function reportSkipped<C extends RegistryReportContext>(
  where: string,
  settings: RegistryReportSettings<C>,
  messages: Iterable<string>,
  context: C,
  known?: ReadonlySet<string>,
): void {
  for (const message of messages) {
    if (known?.has(message)) continue;
    reportRegistryError(
      where,
      settings,
      new RegistryError(`${where}: ${message}`, { retryable: false }),
      context,
    );
  }
}
