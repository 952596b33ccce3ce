// The package is three parts that grpc-js wires together, one folder each, plus what they share:
// - src/ (this folder): what an application calls. createChannelOptions and its options, the route
//   interceptor, what filters read of a call (call-context), and registerSwitchyard, which hands
//   the two parts below to grpc-js.
// - src/resolver/: the `discovery:///` name resolver. It runs the shared resolver loop over the
//   channel's Discovery and hands each node list to grpc-js as endpoints, with a config selector
//   that passes each call's method to the picker.
// - src/policy/: the load-balancing policy grpc-js runs per channel. One child (subchannel and its
//   node) per address, the picker that asks the selector for a two-phase pick, and the bookkeeping
//   that starts the call on its node at onCallStarted and ends it at onCallEnded (tracked calls,
//   outcomes), with limbo for picks counted at the pick that never became calls.
// - src/channel/: what the parts hand each other through grpc-js (the channel plan and the option
//   keys it travels under, the service config, target parsing, the endpoint that carries a node).
// Arrows: the user surface imports channel/ and, through registerSwitchyard, the two parts;
// resolver/ and policy/ import channel/ and never each other. The picker also reads the route
// table and builds the call context of the user surface: that is the per-call half of the API.

// For everyone: channel options for a target, per-call routing, and what filters read of a call.
export { createChannelOptions } from "./channel-options.js";
export type { SwitchyardChannel, SwitchyardChannelOptions } from "./options.js";
export { createRouteInterceptor } from "./route.js";
export type { RouteOptions } from "./route.js";
export { callMetadata, callMethod } from "./call-context.js";
export type { CallAttributes } from "./call-context.js";
export { keyFromMetadata } from "./hash-key.js";
export type { CallStatus } from "./policy/outcome.js";
// The errors a wait for the first instances rejects with (the shared resolver loop's), so they
// can be matched without importing selector-core.
export { ResolverClosedError, ResolveTimeoutError } from "@switchyard/selector-core";

// For wiring grpc-js by hand and for policy authors.
export { registerSwitchyard } from "./register.js";
export { DISCOVERY_SCHEME, POLICY_NAME, ROUTE_METADATA_KEY } from "./channel/names.js";
export { SwitchyardLoadBalancer } from "./policy/balancer.js";
export { SwitchyardPolicyConfig } from "./policy/policy-config.js";
export { DiscoveryResolver } from "./resolver/resolver.js";
export { SwitchyardPicker } from "./policy/picker.js";
export { SWEEP_PERIOD_MS } from "./policy/limbo.js";
