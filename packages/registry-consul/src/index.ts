// For everyone: the registry and its options.
export { createConsulRegistry } from "./registry.js";
export type { ConsulRegistry } from "./registry.js";
export type {
  ConsulBackoffOptions,
  ConsulErrorContext,
  ConsulFetch,
  ConsulFetchInit,
  ConsulFetchResponse,
  ConsulHeartbeatOptions,
  ConsulOperation,
  ConsulRateLimit,
  ConsulRegistryOptions,
  ConsulServiceCheck,
  ConsulTlsOptions,
} from "./options.js";

// For tools that check instances before registering them: Consul's metadata rules.
export { META_LIMITS, checkMetadata } from "./meta.js";
