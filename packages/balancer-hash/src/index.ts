// For everyone: the ready selector builder.
export { hash } from "./hash.js";
export { DEFAULT_LOAD_FACTOR, DEFAULT_POINTS } from "./options.js";
export type { HashOptions } from "./options.js";

// For balancer authors and custom selectors.
export { hashBalancerBuilder } from "./hash.js";
export { HASH_NAME } from "./options.js";
export { HashBalancer, MAX_TABLES } from "./balancer.js";
export { KEY_REPORT_INTERVAL_MS } from "./key-reader.js";
export { MAX_RING_POINTS } from "./master.js";
export { hashKey } from "./key-hash.js";
