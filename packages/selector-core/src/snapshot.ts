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
  private memberMap: Map<Node, number> | undefined = undefined;
  private marks: Uint32Array | undefined = undefined;
  private markCounter = 0;
  private readonly cache = new Map<readonly WeightedNode[], Map<string, readonly WeightedNode[]>>();

  constructor(nodes: readonly WeightedNode[]) {
    this.nodes = nodes;
    const byAddress = new Map<string, WeightedNode>();
    for (let i = 0; i < nodes.length; i++) byAddress.set(nodes[i]!.address, nodes[i]!);
    this.byAddress = byAddress;
    this.cache.set(nodes, new Map());
  }

  /**
   * Every weighted node and raw node, to the weighted node's index in `nodes`; built on first use
   * (checking filter output).
   */
  get members(): ReadonlyMap<Node, number> {
    if (this.memberMap === undefined) {
      const members = new Map<Node, number>();
      this.nodes.forEach((node, i) => {
        members.set(node, i);
        members.set(node.raw, i);
      });
      this.memberMap = members;
      this.marks = new Uint32Array(this.nodes.length);
    }
    return this.memberMap;
  }

  /** A fresh mark for {@link Snapshot.mark}/{@link Snapshot.marked}; marks of older rounds never match it. */
  nextMark(): number {
    if (this.markCounter >= 0xfffffffe) {
      this.marks!.fill(0);
      this.markCounter = 0;
    }
    return ++this.markCounter;
  }

  /** Marks node `index` with `mark` (call `members` first). */
  mark(index: number, mark: number): void {
    this.marks![index] = mark;
  }

  /** Whether node `index` carries `mark`. */
  marked(index: number, mark: number): boolean {
    return this.marks![index] === mark;
  }

  /** The cached result of the filter `key` over `input`, if `input` is a stable list and it is cached. */
  cached(input: readonly WeightedNode[], key: string): readonly WeightedNode[] | undefined {
    return this.cache.get(input)?.get(key);
  }

  /**
   * Caches `output` when `input` is a stable list and the cache for it is not full. The cached list
   * is a frozen copy (the filter may reuse its own array): every later select shares it, and
   * balancers may key plans on it.
   */
  store(
    input: readonly WeightedNode[],
    key: string,
    output: readonly WeightedNode[],
  ): readonly WeightedNode[] {
    const entries = this.cache.get(input);
    if (entries === undefined || entries.size >= MAX_CACHED_FILTERS) return output;
    const frozen = Object.isFrozen(output) ? output : Object.freeze(output.slice());
    entries.set(key, frozen);
    if (!this.cache.has(frozen)) this.cache.set(frozen, new Map());
    return frozen;
  }
}
