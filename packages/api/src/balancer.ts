import type { DoneFunc, WeightedNode } from "./node.js";
import type { SelectContext } from "./selector.js";

/** A balancer's choice: the weighted node and the done callback of the pick. */
export interface Picked {
  readonly node: WeightedNode;
  readonly done: DoneFunc;
}

/** Chooses one node among candidates. The selector never calls `pick` with an empty list. */
export interface Balancer {
  /** Picks one of `nodes` (never empty) and records the pick, usually by calling `node.pick()`. */
  pick(nodes: readonly WeightedNode[], context: SelectContext): Picked;
  /**
   * Called by the selector with the full node list after every apply, so the balancer can drop
   * state kept for addresses that left. Optional.
   */
  update?(nodes: readonly WeightedNode[]): void;
}

/** Makes balancers; one per selector. */
export interface BalancerBuilder {
  /** Short name used in error messages (`wrr`, `p2c`, …). */
  readonly name: string;
  build(): Balancer;
}
