import type { RegistryError } from "@switchyard/api";
import { reportRegistryError, toRegistryError, warnSafely } from "@switchyard/kit";
import type { ConsulErrorContext } from "./options.js";
import type { Settings } from "./settings.js";

/**
 * Wraps anything thrown into a RegistryError, keeping one that already is; the message and the
 * cause are cleaned of the token and the TLS key.
 */
export function asRegistryError(settings: Settings, error: unknown, what: string): RegistryError {
  return toRegistryError("consul", settings.secrets, error, what);
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
  reportRegistryError("consul", settings, error, context);
}
