import type { CandidateInfo, Node, NodeFilter, SelectContext, WeightedNode } from "@switchyard/api";
import { callFilter, filterError } from "./filter.js";

/** The most cached filter results kept per stable list. */
export const MAX_CACHED_FILTERS = 64;

/** The largest mark a node can carry (marks are a Uint32Array; 0 is "no mark"). */
const MAX_MARK = 0xffffffff;

/**
 * The candidates of a selector's picks, for one base list (the list every select starts from):
 * which lists are stable (handed to balancers as the same array again, see `CandidateInfo`), the
 * cached results of filters with a `cacheKey`, and the check that a filter returns only candidates
 * it was given. The selector makes a new one whenever its base list changes; the cache is keyed on
 * the base list and everything reached from it.
 */
export class CandidateCache {
  /** The list every select starts from: stable, frozen. */
  readonly base: readonly WeightedNode[];
  /** The last cached result handed out, for the common case of one filter object reused per call. */
  lastFilter: NodeFilter | undefined = undefined;
  lastInput: readonly WeightedNode[] | undefined = undefined;
  lastOutput: readonly WeightedNode[] | undefined = undefined;
  /** Two marks are taken per output check; tests move it to reach the wrap without 2³² checks. */
  markCounter = 0;
  private readonly stableInfo: CandidateInfo;
  private readonly unstableInfo: CandidateInfo;
  /** Every stable list, to the cached results of keyed filters over it. */
  private readonly results = new Map<readonly WeightedNode[], Map<string, readonly WeightedNode[]>>();
  /** Every weighted node of `base` and its raw node, to its index in `base`; built on first check. */
  private members: Map<Node, number> | undefined = undefined;
  private marks: Uint32Array | undefined = undefined;

  /** `base` must be frozen. `stable` and `unstable` are the info objects handed with each pick. */
  constructor(base: readonly WeightedNode[], stable: CandidateInfo, unstable: CandidateInfo) {
    this.base = base;
    this.stableInfo = stable;
    this.unstableInfo = unstable;
    this.results.set(base, new Map());
  }

  /** What a balancer is told about `list`, a list this cache handed out. */
  info(list: readonly WeightedNode[]): CandidateInfo {
    return list === this.base || list === this.lastOutput || this.results.has(list)
      ? this.stableInfo
      : this.unstableInfo;
  }

  /**
   * Runs `filter` over `input` (a list this cache handed out) and returns its result as weighted
   * nodes of the base list. The result of a filter with a `cacheKey` over a stable list is computed
   * once, frozen and kept (at most {@link MAX_CACHED_FILTERS} per list): a stable list itself.
   * @throws FilterError when the filter throws, returns something other than an array, or returns
   * a node it was not given (or one twice).
   */
  narrow(
    filter: NodeFilter,
    input: readonly WeightedNode[],
    context: SelectContext,
  ): readonly WeightedNode[] {
    const key = filter.cacheKey;
    let cached: Map<string, readonly WeightedNode[]> | undefined;
    if (key !== undefined) {
      if (filter === this.lastFilter && input === this.lastInput) return this.lastOutput!;
      cached = this.results.get(input);
      const hit = cached?.get(key);
      if (hit !== undefined) return this.remember(filter, input, hit);
    }
    const output = callFilter(filter, input, context);
    const result = output === input ? input : this.check(filter, input, output);
    if (cached === undefined || cached.size >= MAX_CACHED_FILTERS) return result;
    // A frozen copy: the filter may reuse its own array, and every later select shares this one.
    const kept = Object.isFrozen(result) ? result : Object.freeze(result.slice());
    cached.set(key!, kept);
    if (!this.results.has(kept)) this.results.set(kept, new Map());
    return this.remember(filter, input, kept);
  }

  private remember(
    filter: NodeFilter,
    input: readonly WeightedNode[],
    output: readonly WeightedNode[],
  ): readonly WeightedNode[] {
    this.lastFilter = filter;
    this.lastInput = input;
    this.lastOutput = output;
    return output;
  }

  /**
   * Checks that `output` holds only nodes of `input` (weighted or raw), none twice, and maps raw
   * ones to their weighted nodes. Membership is checked in the input, not only the base list: a
   * later filter must not bring back what an earlier one removed. Marks on the cache, no allocation
   * besides the mapped list when raw nodes come back.
   */
  private check(
    filter: NodeFilter,
    input: readonly WeightedNode[],
    output: readonly unknown[],
  ): readonly WeightedNode[] {
    const base = this.base;
    let members = this.members;
    if (members === undefined) {
      members = new Map();
      for (let i = 0; i < base.length; i++) members.set(base[i]!, i).set(base[i]!.raw, i);
      this.members = members;
      this.marks = new Uint32Array(base.length);
    }
    const marks = this.marks!;
    // Both marks of this check are taken at once, so the wrap (every mark cleared) falls before it.
    if (this.markCounter > MAX_MARK - 2) {
      marks.fill(0);
      this.markCounter = 0;
    }
    const taken = (this.markCounter += 2);
    const given = input === base ? 0 : taken - 1;
    if (given !== 0) for (let i = 0; i < input.length; i++) marks[members.get(input[i]!)!] = given;
    let mapped: WeightedNode[] | undefined;
    for (let i = 0; i < output.length; i++) {
      const item = output[i] as WeightedNode;
      const index = members.get(item);
      if (index !== undefined && marks[index] === taken) {
        throw filterError(
          filter,
          `returned ${item.address} twice; a filter must return a subset of its input`,
        );
      }
      if (index === undefined || (given !== 0 && marks[index] !== given)) {
        throw filterError(
          filter,
          `returned a node it was not given (${addressOf(item)}); a filter must return a subset of its input, ` +
            "not new, copied or earlier-removed node objects",
        );
      }
      marks[index] = taken;
      const member = base[index]!;
      // The filter returned raw nodes: map them to their weighted nodes.
      if (member !== item) mapped ??= output.slice(0, i) as WeightedNode[];
      if (mapped !== undefined) mapped.push(member);
    }
    return mapped ?? (output as readonly WeightedNode[]);
  }
}

/**
 * The address a foreign item shows in messages. A copy of a weighted node (`{ ...node }`) has no
 * `address` of its own: its fields are read from `raw` (`WrappedNode`), which the copy kept.
 */
function addressOf(item: unknown): string {
  if (typeof item !== "object" || item === null) return String(item);
  const { address, raw } = item as { address?: unknown; raw?: { address?: unknown } };
  return String(address ?? raw?.address);
}
