import type { Node, NodeFilter, WeightedNode } from "@switchyard/api";

/** The largest mark a node can carry (marks are a Uint32Array; 0 is "no mark"). */
const MAX_MARK = 0xffffffff;

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

  /**
   * Two fresh marks for one output check, `round` and `round + 1`, for {@link Snapshot.mark} and
   * {@link Snapshot.marked}: no node carries either yet. Both are taken at once so that the
   * counter's wrap (every mark cleared) can only fall before a check, never between its marks.
   */
  nextRound(): number {
    if (this.markCounter > MAX_MARK - 2) {
      this.marks!.fill(0);
      this.markCounter = 0;
    }
    const round = this.markCounter + 1;
    this.markCounter += 2;
    return round;
  }

  /** For tests only: moves the mark counter, to reach its wrap without 2³² checks. */
  setMarkCounter(value: number): void {
    void this.members; // allocates the marks
    this.markCounter = value;
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
