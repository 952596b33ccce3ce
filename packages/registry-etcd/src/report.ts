import { debugSafely, warnSafely } from "@switchyard/kit";
import type { Settings } from "./settings.js";

/**
 * Logs a warning through `warnSafely` (a logger that throws cannot stop a watch or a
 * re-registration: the report goes to `process.emitWarning`), cleaned of the password, the auth
 * token and the TLS key.
 */
export function warn(settings: Settings, message: string, details?: Readonly<Record<string, unknown>>): void {
  warnSafely(settings.logger, settings.secrets.redact(message), details);
}

/** `logger.debug`, when there is one, cleaned the same way; a throwing `debug` is ignored. */
export function debug(
  settings: Settings,
  message: string,
  details?: Readonly<Record<string, unknown>>,
): void {
  debugSafely(settings.logger, settings.secrets.redact(message), details);
}
