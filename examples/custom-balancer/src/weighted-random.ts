import type {
  Balancer,
  BalancerBuilder,
  CandidateInfo,
  Picked,
  SelectContext,
  WeightedNode,
} from "@switchyard/api";

/**
 * Weighted random: picks each node with a chance proportional to its weight (a weight that is not a
 * positive finite number counts 0; when all count 0, all share equally).
 *
 * It shows the candidate contract of `@switchyard/api`. When the selector says the list is stable
 * (it will hand this very array again while the candidates stay the same) and the weights static,
 * the cumulative weights are computed once for the list and kept, and a pick is a binary search.
 * The tables live in a `WeakMap` keyed on the list: a list the selector no longer hands out (after
 * an apply) is collected together with its table, so the balancer needs no `update`. Any other
 * list (made by a filter for one call, or nodes whose weight changes) is read whole on each pick.
 */
export class WeightedRandomBalancer implements Balancer {
  private readonly tables = new WeakMap<readonly WeightedNode[], Float64Array>();
  private readonly random: () => number;

  constructor(random: () => number = Math.random) {
    this.random = random;
  }

  pick(nodes: readonly WeightedNode[], _context?: SelectContext, info?: CandidateInfo): Picked {
    let node: WeightedNode;
    if (info?.stable && info.staticWeights) {
      let table = this.tables.get(nodes);
      if (table === undefined) this.tables.set(nodes, (table = cumulativeWeights(nodes)));
      node = nodes[search(table, this.random() * table[table.length - 1]!)]!;
    } else {
      node = this.pickByScan(nodes);
    }
    return { node, done: node.pick() };
  }

  private pickByScan(nodes: readonly WeightedNode[]): WeightedNode {
    let total = 0;
    for (const node of nodes) total += usable(node.weight());
    if (total === 0) return nodes[Math.floor(this.random() * nodes.length)]!;
    let target = this.random() * total;
    for (const node of nodes) {
      target -= usable(node.weight());
      if (target < 0) return node;
    }
    return nodes[nodes.length - 1]!; // rounding left a sliver past the last weight
  }
}

function usable(weight: number): number {
  return weight > 0 && weight < Number.POSITIVE_INFINITY ? weight : 0;
}

/** Running sums of the weights; all ones when every weight counts 0. */
function cumulativeWeights(nodes: readonly WeightedNode[]): Float64Array {
  const table = new Float64Array(nodes.length);
  let total = 0;
  for (let i = 0; i < nodes.length; i++) table[i] = total += usable(nodes[i]!.weight());
  if (total === 0) for (let i = 0; i < nodes.length; i++) table[i] = i + 1;
  return table;
}

/** The first index whose running sum is above `target`. */
function search(table: Float64Array, target: number): number {
  let low = 0;
  let high = table.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (table[middle]! > target) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** The builder a selector needs: one balancer per selector. */
export function weightedRandomBalancerBuilder(random?: () => number): BalancerBuilder {
  return { name: "weighted-random", build: () => new WeightedRandomBalancer(random) };
}
