import type { RegistryError } from "@switchyard/api";
import { reportRegistryError, toRegistryError } from "@switchyard/kit";
import type { KubernetesErrorContext } from "./options.js";
import type { Settings } from "./settings.js";

/** Wraps anything thrown into a RegistryError, keeping one that already is; cleaned of secrets. */
export function asRegistryError(settings: Settings, error: unknown, what: string): RegistryError {
  return toRegistryError("kubernetes", settings.secrets, error, what);
}

/**
 * Reports an error the discovery handles by itself: to the logger (warn) and to `onError`. A
 * throwing `onError` is logged, never propagated. Neither ever sees a token or a key.
 */
export function report(settings: Settings, error: RegistryError, context: KubernetesErrorContext): void {
  reportRegistryError("kubernetes", settings, error, context);
}
