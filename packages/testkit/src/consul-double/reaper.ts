import type { Clock, TimerHandle } from "@switchyard/api";
import type { CatalogState } from "./state.js";

/** Consul's `CheckReapInterval`: how often critical services are looked at for reaping. */
export const REAP_INTERVAL_MS = 30_000;
/** Consul's `CheckDeregisterIntervalMin`: shorter `DeregisterCriticalServiceAfter` values are raised to it. */
export const MIN_DEREGISTER_AFTER_MS = 60_000;

/**
 * Runs Consul's reaper: every 30 s, a service with a check that has been critical for longer than
 * its `DeregisterCriticalServiceAfter` (at least 1 minute) is deregistered. Returns the stop function.
 */
export function startReaper(state: CatalogState, clock: Clock): () => void {
  let timer: TimerHandle | undefined;
  const reap = (): void => {
    const now = clock.now();
    for (const check of state.allChecks(undefined)) {
      const after = check.def.deregisterAfterMs;
      if (after === undefined || after <= 0 || check.criticalSince === undefined) continue;
      if (now - check.criticalSince > Math.max(after, MIN_DEREGISTER_AFTER_MS)) {
        state.deregister(check.scope, check.serviceId);
      }
    }
  };
  const schedule = (): void => {
    timer = clock.setTimeout(() => {
      reap();
      schedule();
    }, REAP_INTERVAL_MS);
  };
  schedule();
  return () => clock.clearTimeout(timer);
}
