import type { WeightedNode } from "@switchyard/api";

/**
 * What one apply made, immutable: the weighted nodes in apply order (frozen) and the lookup by
 * address the next apply carries state over with. The candidates a select starts from and the
 * filter cache over them live in a `CandidateCache`, built from `nodes`.
 */
export class Snapshot {
  readonly nodes: readonly WeightedNode[];
  readonly byAddress: ReadonlyMap<string, WeightedNode>;

  constructor(nodes: readonly WeightedNode[]) {
    this.nodes = Object.freeze(nodes);
    const byAddress = new Map<string, WeightedNode>();
    for (let i = 0; i < nodes.length; i++) byAddress.set(nodes[i]!.address, nodes[i]!);
    this.byAddress = byAddress;
    Object.freeze(this);
  }
}
