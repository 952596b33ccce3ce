import {
  type Clock,
  type Discovery,
  getGlobalSelector,
  type Logger,
  type NodeFilter,
  type SelectorBuilder,
} from "@switchyard/api";
import { wrr } from "@switchyard/balancer-wrr";
import { type BackoffOptions, systemClock } from "@switchyard/selector-core";

/**
 * Everything the resolver and the policy of one channel need, carried in the channel options
 * (under a key grpc-js keeps out of subchannel arguments). Built and frozen by
 * `createChannelOptions`.
 */
export interface ChannelPlan {
  /** The service of a `discovery:///` target, or the target itself: names things in messages. */
  readonly label: string;
  /** Where instances come from; absent for direct targets. */
  readonly discovery: Discovery | undefined;
  /** Builds the one selector of each load-balancing policy instance. */
  readonly selector: SelectorBuilder;
  /** The channel's filters, run on every call before per-call ones. */
  readonly filters: readonly NodeFilter[];
  readonly subsetSize: number | undefined;
  readonly subsetKey: string | undefined;
  readonly backoff: BackoffOptions | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Reads the plan from channel options; `undefined` when the channel was not built with one. */
export function planOf(options: Readonly<Record<string, unknown>>, key: string): ChannelPlan | undefined {
  const plan = options[key];
  return typeof plan === "object" && plan !== null ? (plan as ChannelPlan) : undefined;
}

/**
 * The plan of a channel that chose the policy in its own service config, without
 * `createChannelOptions`: the global selector (else wrr), no filters, no discovery.
 */
export function defaultPlan(label: string): ChannelPlan {
  return Object.freeze({
    label,
    discovery: undefined,
    selector: getGlobalSelector() ?? wrr(),
    filters: Object.freeze([]),
    subsetSize: undefined,
    subsetKey: undefined,
    backoff: undefined,
    clock: systemClock,
    logger: console,
  });
}
