// For everyone: the instrumentation and its options.
export { DURATION_BUCKETS_S, SwitchyardInstrumentation } from "./instrumentation.js";
export type { SwitchyardInstrumentationConfig } from "./instrumentation.js";
export { VERSION } from "./version.js";

// For dashboards and tests: the names this package records under.
export {
  ATTR_BALANCER,
  ATTR_EJECTION_REASON,
  ATTR_ERROR_TYPE,
  ATTR_PEER_ADDRESS,
  ATTR_PEER_PORT,
  ATTR_SERVER_ADDRESS,
} from "./attributes.js";
export { METRIC_NAMES } from "./names.js";
