import { RegistryError } from "@switchyard/api";
import { errorMessage, warnSafely } from "@switchyard/kit";
import type { KubernetesErrorContext } from "./options.js";
import type { Settings } from "./settings.js";

/** Wraps anything thrown into a RegistryError, keeping one that already is; cleaned of secrets. */
export function asRegistryError(settings: Settings, error: unknown, what: string): RegistryError {
  const { secrets } = settings;
  if (error instanceof RegistryError) {
    if (secrets.scrub(error) === error) return error;
    const cause = error.cause === undefined ? {} : { cause: secrets.scrub(error.cause) };
    return new RegistryError(secrets.redact(error.message), {
      ...cause,
      status: error.status,
      retryable: error.retryable,
    });
  }
  return new RegistryError(`kubernetes: ${what} failed: ${secrets.redact(errorMessage(error))}`, {
    cause: secrets.scrub(error),
  });
}

/** Logs through `warnSafely` (a throwing logger cannot stop a watch), cleaned of secrets. */
export function warn(settings: Settings, message: string, details?: Readonly<Record<string, unknown>>): void {
  warnSafely(settings.logger, settings.secrets.redact(message), details);
}

/**
 * Reports an error the discovery handles by itself: to the logger (warn) and to `onError`. A
 * throwing `onError` is logged, never propagated. Neither ever sees a token or a key.
 */
export function report(settings: Settings, error: RegistryError, context: KubernetesErrorContext): void {
  const cleaned = asRegistryError(settings, error, context.operation);
  const retry = context.retryInMs === undefined ? "" : `; retrying in ${Math.round(context.retryInMs)} ms`;
  warn(settings, `${cleaned.message}${retry}`, { ...context, status: cleaned.status });
  if (settings.onError === undefined) return;
  try {
    settings.onError(cleaned, context);
  } catch (thrown) {
    warn(settings, "kubernetes: onError threw; the error it was given is logged above", {
      error: settings.secrets.scrub(thrown),
    });
  }
}
