import { RegistryError } from "@switchyard/api";
import type { ConsulErrorContext } from "./options.js";
import type { Settings } from "./settings.js";

/** Wraps anything thrown into a RegistryError, keeping one that already is. */
export function asRegistryError(error: unknown, what: string): RegistryError {
  if (error instanceof RegistryError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new RegistryError(`consul: ${what} failed: ${message}`, { cause: error });
}

/** Logs a warning; a logger that throws is ignored, so it cannot break a watch or a heartbeat. */
export function warn(settings: Settings, message: string, details?: Readonly<Record<string, unknown>>): void {
  try {
    settings.logger.warn(message, details);
  } catch {
    // Nothing left to tell: the logger is the last resort.
  }
}

/**
 * Reports an error the registry handles by itself: to the logger (warn) and to `onError`. A
 * throwing `onError` is logged, never propagated. Messages never hold the token (see ConsulHttp).
 */
export function report(settings: Settings, error: RegistryError, context: ConsulErrorContext): void {
  const retry = context.retryInMs === undefined ? "" : `; retrying in ${Math.round(context.retryInMs)} ms`;
  warn(settings, `${error.message}${retry}`, { ...context, status: error.status });
  if (settings.onError === undefined) return;
  try {
    settings.onError(error, context);
  } catch (thrown) {
    warn(settings, "consul: onError threw; the error it was given is logged above", { error: thrown });
  }
}
