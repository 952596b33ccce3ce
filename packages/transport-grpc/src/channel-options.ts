import type { ChannelOptions } from "@grpc/grpc-js";
import { getGlobalSelector, InvalidArgumentError } from "@switchyard/api";
import { wrr } from "@switchyard/balancer-wrr";
import { systemClock } from "@switchyard/selector-core";
import { PLAN_OPTION } from "./channel/names.js";
import type { ChannelPlan } from "./channel/plan.js";
import { SERVICE_CONFIG_OPTION, withPolicy } from "./channel/service-config.js";
import { isDiscoveryTarget, parseDiscoveryTarget } from "./channel/target.js";
import type { SwitchyardChannel, SwitchyardChannelOptions } from "./options.js";
import { registerSwitchyard } from "./register.js";
import { checkOptions } from "./validate.js";

/**
 * The one way in: registers the `discovery` resolver and the `switchyard` policy with
 * `@grpc/grpc-js` (once, see {@link registerSwitchyard}) and returns the target and channel options
 * that route every call of a client through a Switchyard selector:
 * `new GreeterClient(target, credentials.createInsecure(), options)`.
 *
 * The selector is the one given, else the global selector (read now), else `wrr()` on `clock` (its
 * health layer times ejections with it, as the HTTP client's default does). Each channel
 * built from the result gets its own selector and, for `discovery:///` targets, its own watch.
 * @throws InvalidArgumentError on bad options, a `discovery:///` target without `discovery`, or a
 * `grpc.service_config` channel option that is not a JSON object string.
 */
export function createChannelOptions(options: SwitchyardChannelOptions): SwitchyardChannel {
  checkOptions(options);
  const { target } = options;
  const discovered = isDiscoveryTarget(target);
  const label = discovered ? parseDiscoveryTarget(target) : target;
  if (discovered && options.discovery === undefined) {
    throw new InvalidArgumentError(
      `transport-grpc: target ${target} needs a discovery (for example createMemoryRegistry() or a Consul registry)`,
    );
  }
  const clock = options.clock ?? systemClock;
  const plan: ChannelPlan = Object.freeze({
    label,
    discovery: discovered ? options.discovery : undefined,
    selector: options.selector ?? getGlobalSelector() ?? wrr({ clock }),
    filters: Object.freeze([...(options.filters ?? [])]),
    subsetSize: options.subsetSize,
    subsetKey: options.subsetKey,
    backoff: options.backoff,
    clock,
    logger: options.logger ?? console,
  });
  const user = options.channelOptions ?? {};
  const channelOptions: ChannelOptions = {
    ...user,
    [SERVICE_CONFIG_OPTION]: withPolicy(user[SERVICE_CONFIG_OPTION]),
    [PLAN_OPTION]: plan,
  };
  registerSwitchyard();
  return Object.freeze({ target, options: channelOptions });
}
