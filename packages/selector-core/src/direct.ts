import type { Clock, DoneFunc, Node, WeightedNode, WeightedNodeBuilder } from "@switchyard/api";
import { systemClock } from "./clock.js";
import { WrappedNode } from "./wrapped-node.js";

/** Weight of a direct node whose publisher gave none (Kratos's default). */
export const DEFAULT_WEIGHT = 100;

const noop: DoneFunc = () => {};

/**
 * A weighted node whose weight is the initial weight its node had when it was built, or
 * {@link DEFAULT_WEIGHT} when none. The weight never changes while the node lives (its builder
 * says so with `staticWeights`), which lets balancers precompute plans. The `Node` fields are read
 * from `raw` ({@link WrappedNode}).
 */
export class DirectNode extends WrappedNode implements WeightedNode {
  private readonly clock: Clock;
  private readonly record: boolean;
  private readonly staticWeight: number;
  private lastPick: number;

  /** With `record` false, a pick records its time only when the balancer passes `now`. */
  constructor(node: Node, clock: Clock, record = true, lastPick = Number.NEGATIVE_INFINITY) {
    super(node);
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
 * Its done callback does nothing. Its weights are static (`staticWeights: true`): a node that comes
 * back with another weight is a new node object.
 */
export function direct(options: DirectOptions = {}): WeightedNodeBuilder {
  const clock = options.clock ?? systemClock;
  const record = options.recordPickTime !== false;
  return {
    name: "direct",
    staticWeights: true,
    build(node: Node, previous?: WeightedNode): WeightedNode {
      const lastPick = previous instanceof DirectNode ? previous.lastPickedAt() : undefined;
      return new DirectNode(node, clock, record, lastPick);
    },
  };
}
