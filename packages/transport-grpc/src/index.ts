// For everyone: channel options for a target, per-call routing, and what filters read of a call.
export { createChannelOptions } from "./channel-options.js";
export type { SwitchyardChannel, SwitchyardChannelOptions } from "./options.js";
export { createRouteInterceptor } from "./route.js";
export type { RouteOptions } from "./route.js";
export { callMetadata, callMethod } from "./call-context.js";
export type { CallAttributes } from "./call-context.js";
export type { CallStatus } from "./outcome.js";
// The errors a wait for the first instances rejects with (the shared resolver loop's), so they
// can be matched without importing selector-core.
export { ResolverClosedError, ResolveTimeoutError } from "@switchyard/selector-core";

// For wiring grpc-js by hand and for policy authors.
export { registerSwitchyard } from "./register.js";
export { DISCOVERY_SCHEME, POLICY_NAME, ROUTE_METADATA_KEY } from "./names.js";
export { SwitchyardLoadBalancer } from "./balancer.js";
export { SwitchyardPolicyConfig } from "./policy-config.js";
export { DiscoveryResolver } from "./resolver.js";
export { SwitchyardPicker } from "./picker.js";
export { SWEEP_PERIOD_MS } from "./limbo.js";
