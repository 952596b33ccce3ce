// For registry, transport and balancer authors: the plumbing every Switchyard component shares.
export { debugSafely, errorMessage, WARNING_CODE, warnSafely } from "./report.js";
export { holdProcess, pendingHolds } from "./keep-alive.js";
export { REDACTED, SecretSet } from "./secrets.js";
