import { experimental } from "@grpc/grpc-js";
import { DISCOVERY_SCHEME, POLICY_NAME } from "./channel/names.js";
import { SwitchyardLoadBalancer } from "./policy/balancer.js";
import { SwitchyardPolicyConfig } from "./policy/policy-config.js";
import { DiscoveryResolver } from "./resolver/resolver.js";

let registered = false;

/**
 * Registers the `discovery` name resolver and the `switchyard` load-balancing policy with the copy
 * of `@grpc/grpc-js` this package resolves, through grpc-js's public experimental API. Idempotent;
 * `createChannelOptions` calls it for you, and nothing registers on import. Registrations belong
 * to one copy of grpc-js: the application must have a single copy (`npm ls @grpc/grpc-js`), or
 * channels built by another copy will not know `discovery:///` targets.
 */
export function registerSwitchyard(): void {
  if (registered) return;
  experimental.registerResolver(DISCOVERY_SCHEME, DiscoveryResolver);
  experimental.registerLoadBalancerType(POLICY_NAME, SwitchyardLoadBalancer, SwitchyardPolicyConfig);
  registered = true;
}
