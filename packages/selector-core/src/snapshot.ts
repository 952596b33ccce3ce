import type { Node, WeightedNode } from "@switchyard/api";

/** The most cached filter results kept per node list. */
export const MAX_CACHED_FILTERS = 64;

/**
 * One immutable node list of a selector, with what `select` needs to stay cheap: a lookup from
 * every weighted node and raw node to its weighted node (to check filter output), and the cached
 * results of cacheable filters per stable list (the full list, or a cached result).
 */
export class Snapshot {
  readonly nodes: readonly WeightedNode[];
  readonly byAddress: ReadonlyMap<string, WeightedNode>;
  readonly members: ReadonlyMap<Node, WeightedNode>;
  private readonly cache = new Map<readonly WeightedNode[], Map<string, readonly WeightedNode[]>>();

  constructor(nodes: readonly WeightedNode[]) {
    this.nodes = nodes;
    const byAddress = new Map<string, WeightedNode>();
    const members = new Map<Node, WeightedNode>();
    for (const node of nodes) {
      byAddress.set(node.address, node);
      members.set(node, node);
      members.set(node.raw, node);
    }
    this.byAddress = byAddress;
    this.members = members;
    this.cache.set(nodes, new Map());
  }

  /** The cached result of the filter `key` over `input`, if `input` is a stable list and it is cached. */
  cached(input: readonly WeightedNode[], key: string): readonly WeightedNode[] | undefined {
    return this.cache.get(input)?.get(key);
  }

  /**
   * Caches `output` when `input` is a stable list and the cache for it is not full. A cached list
   * is frozen: it is shared by every later select (balancers may key plans on it).
   */
  store(input: readonly WeightedNode[], key: string, output: readonly WeightedNode[]): void {
    const entries = this.cache.get(input);
    if (entries === undefined || entries.size >= MAX_CACHED_FILTERS) return;
    entries.set(key, Object.freeze(output));
    if (!this.cache.has(output)) this.cache.set(output, new Map());
  }
}
