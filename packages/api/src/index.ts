// For everyone: the contract of nodes, selectors and registries.
export type { Clock, TimerHandle } from "./clock.js";
export { systemClock } from "./system-clock.js";
export type { Logger } from "./logger.js";
export type {
  CallPhase,
  CallSlot,
  DoneFunc,
  DoneInfo,
  Metadata,
  Node,
  OutcomeObserver,
  ReplyMetadata,
  WeightedNode,
  WeightedNodeBuilder,
} from "./node.js";
export type {
  DeferredSelection,
  NodeFilter,
  SelectContext,
  SelectOptions,
  SelectResult,
  Selector,
  SelectorBuilder,
} from "./selector.js";
export type { EjectionReason, NodeHealth, NodeHealthState } from "./health.js";
export type {
  Discovery,
  Registrar,
  RegistryCallOptions,
  ServiceInstance,
  Watcher,
} from "./registry.js";
export {
  FilterError,
  InvalidArgumentError,
  NoAvailableNodeError,
  RegistryError,
  SwitchyardError,
  WatcherStoppedError,
} from "./errors.js";
export type { SwitchyardErrorOptions } from "./errors.js";
export { getGlobalSelector, setGlobalSelector } from "./global.js";
export { VERSION } from "./version.js";

// For observability tools: the diagnostics channels a selector publishes on, and their messages.
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

// For balancer authors.
export type { Balancer, BalancerBuilder, CandidateInfo, Picked } from "./balancer.js";
// For registry authors: the equality a watcher uses to yield only real changes.
export { sameInstance, sameInstances } from "./instances.js";
// For tooling and tests.
export { createGlobalAccessors, isCompatibleVersion } from "./global.js";
