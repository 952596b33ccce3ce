import { experimental } from "@grpc/grpc-js";

/** The target scheme the resolver answers: `discovery:///<service>`. */
export const DISCOVERY_SCHEME = "discovery";

/** The name of the load-balancing policy in a service config: `{ "switchyard": {} }`. */
export const POLICY_NAME = "switchyard";

/**
 * The call-metadata key that carries a per-call route id from {@link createRouteInterceptor} to
 * the picker, which reads it and removes it before the call is sent.
 */
export const ROUTE_METADATA_KEY = "x-switchyard-route";

/**
 * The pick-information key under which the discovery resolver's config selector hands the picker
 * the full method name of a call.
 */
export const METHOD_PICK_KEY = "switchyard.method";

// Channel options under this prefix never reach subchannel arguments, so objects may live there
// without splitting grpc-js's subchannel pool.
const PRIVATE = `${experimental.SUBCHANNEL_ARGS_EXCLUDE_KEY_PREFIX}.switchyard`;

/** Channel option holding the {@link ChannelPlan} of a channel (set by `createChannelOptions`). */
export const PLAN_OPTION = `${PRIVATE}.plan`;
