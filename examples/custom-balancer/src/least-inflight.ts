import type { Balancer, BalancerBuilder, DoneFunc, DoneInfo, Picked, WeightedNode } from "@switchyard/api";

/**
 * Least in flight: picks the node with the fewest calls in flight (counted from pick to done),
 * breaking ties at random. Written against @switchyard/api alone, the way any third party would.
 */
export class LeastInflightBalancer implements Balancer {
  private readonly inflight = new Map<string, number>();
  private readonly random: () => number;

  constructor(random: () => number = Math.random) {
    this.random = random;
  }

  pick(nodes: readonly WeightedNode[]): Picked {
    let best: WeightedNode = nodes[0]!;
    let bestCount = Number.POSITIVE_INFINITY;
    let ties = 0;
    for (const node of nodes) {
      const count = this.inflight.get(node.address) ?? 0;
      if (count < bestCount) {
        best = node;
        bestCount = count;
        ties = 1;
      } else if (count === bestCount && this.random() * ++ties < 1) {
        best = node; // reservoir sampling: each tied node equally likely
      }
    }
    return { node: best, done: this.track(best) };
  }

  update(nodes: readonly WeightedNode[]): void {
    const live = new Set(nodes.map((n) => n.address));
    for (const address of this.inflight.keys()) if (!live.has(address)) this.inflight.delete(address);
  }

  private track(node: WeightedNode): DoneFunc {
    const address = node.address;
    this.inflight.set(address, (this.inflight.get(address) ?? 0) + 1);
    const inner = node.pick();
    let finished = false;
    return (info?: DoneInfo) => {
      if (finished) return;
      finished = true;
      const count = this.inflight.get(address);
      if (count !== undefined) this.inflight.set(address, count - 1);
      inner(info);
    };
  }
}

/** The builder a selector needs: one balancer per selector. */
export function leastInflightBalancerBuilder(random?: () => number): BalancerBuilder {
  return { name: "least-inflight", build: () => new LeastInflightBalancer(random) };
}
