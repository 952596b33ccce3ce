import type { Node, NodeFilter, WeightedNode } from "@switchyard/api";

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
  /** The last filter result handed out, for the common case of one filter object reused per call. */
  lastFilter: NodeFilter | undefined = undefined;
  lastInput: readonly WeightedNode[] | undefined = undefined;
  lastOutput: readonly WeightedNode[] | undefined = undefined;
  private memberMap: Map<Node, WeightedNode> | undefined = undefined;
  private readonly cache = new Map<readonly WeightedNode[], Map<string, readonly WeightedNode[]>>();

  constructor(nodes: readonly WeightedNode[]) {
    this.nodes = nodes;
    const byAddress = new Map<string, WeightedNode>();
    for (let i = 0; i < nodes.length; i++) byAddress.set(nodes[i]!.address, nodes[i]!);
    this.byAddress = byAddress;
    this.cache.set(nodes, new Map());
  }

  /** Every weighted node and raw node, to its weighted node; built on first use (checking filter output). */
  get members(): ReadonlyMap<Node, WeightedNode> {
    if (this.memberMap === undefined) {
      const members = new Map<Node, WeightedNode>();
      for (const node of this.nodes) {
        members.set(node, node);
        members.set(node.raw, node);
      }
      this.memberMap = members;
    }
    return this.memberMap;
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
