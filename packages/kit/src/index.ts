// For registry, transport and balancer authors: the plumbing every Switchyard component shares.
export { debugSafely, errorMessage, ThrottledReport, WARNING_CODE, warnSafely } from "./report.js";
export { holdProcess, pendingHolds } from "./keep-alive.js";
export { REDACTED, SecretSet } from "./secrets.js";
export { SafeRandom, safeRandom } from "./safe-random.js";
export { checkBackoff, createBackoff, DEFAULT_BACKOFF } from "./backoff.js";
export type { Backoff, BackoffCheck, BackoffOptions, BackoffSettings } from "./backoff.js";
export { checkClock, checkLogger, checkMs } from "./options.js";
export type { MsCheck } from "./options.js";
export { ListWatcher } from "./list-watcher.js";
export type { ListWatcherOptions } from "./list-watcher.js";
export {
  cleanRegistryError,
  reportRegistryError,
  reportSkipped,
  toRegistryError,
} from "./registry-report.js";
export type { RegistryReportContext, RegistryReportSettings } from "./registry-report.js";
export { RequestDeadline } from "./deadline.js";
export { WakeableSleep } from "./sleep.js";
