import { RegistryError } from "@switchyard/api";
import { errorMessage, warnSafely } from "@switchyard/kit";
import type { ConsulErrorContext } from "./options.js";
import type { Settings } from "./settings.js";

/**
 * Wraps anything thrown into a RegistryError, keeping one that already is; the message and the
 * cause are cleaned of the token and the TLS key.
 */
export function asRegistryError(settings: Settings, error: unknown, what: string): RegistryError {
  if (error instanceof RegistryError) return clean(settings, error);
  const message = settings.secrets.redact(errorMessage(error));
  return new RegistryError(`consul: ${what} failed: ${message}`, { cause: settings.secrets.scrub(error) });
}

/** `error` itself when it holds no secret, else a copy whose message and cause are cleaned. */
function clean(settings: Settings, error: RegistryError): RegistryError {
  const { secrets } = settings;
  if (secrets.scrub(error) === error) return error;
  const cause = error.cause === undefined ? undefined : secrets.scrub(error.cause);
  return new RegistryError(secrets.redact(error.message), {
    status: error.status,
    retryable: error.retryable,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Logs a warning through `warnSafely`: a logger that throws cannot break a watch or a heartbeat
 * (the report goes to `process.emitWarning` instead). The message is cleaned of secrets.
 */
export function warn(settings: Settings, message: string, details?: Readonly<Record<string, unknown>>): void {
  warnSafely(settings.logger, settings.secrets.redact(message), details);
}

/**
 * Reports an error the registry handles by itself: to the logger (warn) and to `onError`. A
 * throwing `onError` is logged, never propagated. Neither ever sees the token or the TLS key.
 */
export function report(settings: Settings, error: RegistryError, context: ConsulErrorContext): void {
  const cleaned = clean(settings, error);
  const retry = context.retryInMs === undefined ? "" : `; retrying in ${Math.round(context.retryInMs)} ms`;
  warn(settings, `${cleaned.message}${retry}`, { ...context, status: cleaned.status });
  if (settings.onError === undefined) return;
  try {
    settings.onError(cleaned, context);
  } catch (thrown) {
    warn(settings, "consul: onError threw; the error it was given is logged above", {
      error: settings.secrets.scrub(thrown),
    });
  }
}
