// For everyone: nodes, the default selector, and the node builders.
export { createNode, MAX_WEIGHT, nodeFromInstance, parseWeight } from "./node.js";
export type { NodeInit } from "./node.js";
export { createSelectorBuilder, DefaultSelector } from "./selector.js";
export type { SelectorBuilderOptions } from "./selector.js";
export { DEFAULT_WEIGHT, DirectNode, direct } from "./direct.js";
export type { DirectOptions } from "./direct.js";
export { EWMA_PENALTY, EWMA_TAU_MS, EWMA_WEIGHT_TTL_MS, EwmaNode, ewma } from "./ewma.js";
export type { EwmaOptions } from "./ewma.js";
export { isNodeFailure } from "./failure.js";
export { systemClock } from "./clock.js";

// For balancer, registry and transport authors.
export { toMetadata } from "./metadata.js";
export { filterName } from "./filter.js";
export { DEFAULT_SUBSET_SIZE, randomSubsetKey, subset } from "./subset.js";
export { parseEndpoint, selectEndpoint } from "./endpoint.js";
export type { EndpointFamily, ParsedEndpoint } from "./endpoint.js";
