import type { Clock, DoneFunc, Metadata, Node, WeightedNode, WeightedNodeBuilder } from "@switchyard/api";
import { systemClock } from "./clock.js";

/** Weight of a direct node whose publisher gave none (Kratos's default). */
export const DEFAULT_WEIGHT = 100;

const noop: DoneFunc = () => {};

/**
 * A weighted node whose weight is its initial weight, or {@link DEFAULT_WEIGHT} when none.
 * The weight never changes while the node lives, which lets balancers precompute plans.
 */
export class DirectNode implements WeightedNode {
  raw: Node;
  scheme: string;
  address: string;
  serviceName: string;
  initialWeight: number | undefined;
  version: string;
  metadata: Metadata;
  private readonly clock: Clock;
  private readonly record: boolean;
  private readonly staticWeight: number;
  private lastPick: number;

  /** With `record` false, a pick records its time only when the balancer passes `now`. */
  constructor(node: Node, clock: Clock, record = true, lastPick = Number.NEGATIVE_INFINITY) {
    this.raw = node;
    this.scheme = node.scheme;
    this.address = node.address;
    this.serviceName = node.serviceName;
    this.initialWeight = node.initialWeight;
    this.version = node.version;
    this.metadata = node.metadata;
    this.clock = clock;
    this.record = record;
    this.staticWeight = node.initialWeight ?? DEFAULT_WEIGHT;
    this.lastPick = lastPick;
  }

  weight(): number {
    return this.staticWeight;
  }

  pick(now?: number): DoneFunc {
    if (now !== undefined) this.lastPick = now;
    else if (this.record) this.lastPick = this.clock.now();
    return noop;
  }

  pickElapsed(now?: number): number {
    return (now ?? this.clock.now()) - this.lastPick;
  }

  /** The time of the last pick, for carrying it over to a rebuilt node. */
  lastPickedAt(): number {
    return this.lastPick;
  }
}

/** Options of {@link direct}. */
export interface DirectOptions {
  /** Time source for `pickElapsed`; default the system clock. */
  readonly clock?: Clock;
  /**
   * Read the clock on every pick so `pickElapsed` is exact (default true). Balancers that never
   * ask for `pickElapsed` (wrr, random) turn it off and save a clock read per pick; a pick that
   * is given `now` records it either way.
   */
  readonly recordPickTime?: boolean;
}

/**
 * The node builder for balancers that use the publisher's weight as it is (wrr, random).
 * Its done callback does nothing.
 */
export function direct(options: DirectOptions = {}): WeightedNodeBuilder {
  const clock = options.clock ?? systemClock;
  const record = options.recordPickTime !== false;
  return {
    name: "direct",
    build(node: Node, previous?: WeightedNode): WeightedNode {
      const lastPick = previous instanceof DirectNode ? previous.lastPickedAt() : undefined;
      return new DirectNode(node, clock, record, lastPick);
    },
  };
}
