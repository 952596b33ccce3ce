// For everyone: nodes, the default selector, and the node builders.
export { createNode, MAX_WEIGHT, nodeFromInstance, parseWeight } from "./node.js";
export type { NodeInit } from "./node.js";
export { createSelectorBuilder, DefaultSelector } from "./selector.js";
export type { SelectorBuilderOptions } from "./selector.js";
export { DEFAULT_HEALTH } from "./health/health-options.js";
export type { HealthOptions } from "./health/health-options.js";
export { DEFAULT_WEIGHT, DirectNode, direct } from "./direct.js";
export type { DirectOptions } from "./direct.js";
export { directSelector } from "./direct-selector.js";
export type { DirectSelectorOptions } from "./direct-selector.js";
export { EWMA_PENALTY, EWMA_TAU_MS, EWMA_WEIGHT_TTL_MS, EwmaNode, ewma } from "./ewma.js";
export type { EwmaOptions } from "./ewma.js";
export { isCancellation, isConnectionFailure, isNodeFailure } from "./failure.js";
export { systemClock } from "./clock.js";
// Routing filters that fall back instead of failing a call.
export { prefer } from "./prefer.js";
export { DEFAULT_ZONE_MIN_NODES, DEFAULT_ZONE_MIN_SHARE, preferZone, ZONE_ENV } from "./zone.js";
export type { PreferZoneOptions } from "./zone.js";

// For observability tools: the diagnostics channels the selector publishes on.
export {
  APPLY_CHANNEL,
  DONE_CHANNEL,
  ERROR_CHANNEL,
  HEALTH_CHANNEL,
  PICK_CHANNEL,
} from "./diagnostics.js";
export type {
  ApplyMessage,
  DoneMessage,
  HealthMessage,
  PickMessage,
  SelectErrorMessage,
} from "./diagnostics.js";

// For balancer, registry and transport authors.
export { WrappedNode } from "./wrapped-node.js";
export { toMetadata } from "./metadata.js";
export { filterName } from "./filter.js";
export { pushbackMs } from "./health/pushback.js";
export { DEFAULT_SUBSET_SIZE, randomSubsetKey, subset } from "./subset.js";
export { hash32, mix32 } from "./hash.js";
export { parseEndpoint, selectEndpoint } from "./endpoint.js";
export type { EndpointFamily, ParsedEndpoint } from "./endpoint.js";
export { createBackoff, DEFAULT_BACKOFF } from "./backoff.js";
export { SafeRandom, safeRandom } from "./safe-random.js";
export type { Backoff, BackoffOptions } from "./backoff.js";
export { createResolver } from "./resolver.js";
export { createSelectorResolver } from "./selector-resolver.js";
export type { SelectorResolverOptions } from "./selector-resolver.js";
export { DEFAULT_READY_TIMEOUT_MS, ResolverClosedError, ResolveTimeoutError } from "./resolver-api.js";
export type { ReadyOptions, Resolver, ResolverOptions } from "./resolver-api.js";
export type { ResolvedEndpoint, ResolverUpdate } from "./resolver-update.js";
