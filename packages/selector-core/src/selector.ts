import {
  type Balancer,
  type BalancerBuilder,
  type CandidateInfo,
  InvalidArgumentError,
  NoAvailableNodeError,
  type Node,
  type NodeFilter,
  type SelectContext,
  type SelectOptions,
  type Selector,
  type SelectorBuilder,
  type SelectResult,
  type WeightedNode,
  type WeightedNodeBuilder,
} from "@switchyard/api";
import { CandidateCache } from "./candidates.js";
import { filterName } from "./filter.js";
import { isCheckedNode } from "./node.js";
import { describeValue, fieldProblem } from "./node-fields.js";
import { Snapshot } from "./snapshot.js";

const EMPTY_CONTEXT: SelectContext = Object.freeze({});
const NO_FILTERS: readonly NodeFilter[] = Object.freeze([]);

/** What {@link createSelectorBuilder} takes. */
export interface SelectorBuilderOptions {
  /** Picks among the filtered nodes. */
  readonly balancer: BalancerBuilder;
  /** Wraps each node with the state the balancer reads (`direct()`, `ewma()`, …). */
  readonly nodeBuilder: WeightedNodeBuilder;
  /** Filters every select runs first, before the per-call ones. */
  readonly filters?: readonly NodeFilter[];
}

/**
 * The default selector: filters, then a balancer, over weighted nodes that keep their state
 * across applies for addresses that stay. Every pick tells the balancer whether its candidates are
 * a stable list and whether weights are static (`CandidateInfo`): stable lists are the full list of
 * the last apply and the cached results of filters with a `cacheKey`; weights are static when the
 * node builder says so (`WeightedNodeBuilder.staticWeights`).
 */
export class DefaultSelector implements Selector {
  private snapshot = new Snapshot([]);
  private candidates: CandidateCache;
  private readonly balancer: Balancer;
  private readonly balancerName: string;
  private readonly nodeBuilder: WeightedNodeBuilder;
  private readonly filters: readonly NodeFilter[];
  private readonly stableInfo: CandidateInfo;
  private readonly unstableInfo: CandidateInfo;

  constructor(options: SelectorBuilderOptions) {
    this.balancer = options.balancer.build();
    this.balancerName = options.balancer.name;
    this.nodeBuilder = options.nodeBuilder;
    this.filters = options.filters ?? NO_FILTERS;
    const staticWeights = options.nodeBuilder.staticWeights === true;
    this.stableInfo = Object.freeze({ stable: true, staticWeights });
    this.unstableInfo = Object.freeze({ stable: false, staticWeights });
    this.candidates = this.candidatesOf(this.snapshot.nodes);
  }

  /**
   * Replaces the node list. The new list is checked whole before anything changes: on bad input
   * the previous list stays in place.
   * @throws InvalidArgumentError when `nodes` is not an array, holds two nodes with the same
   * address, or holds something that is not a valid node: an object not built by `createNode` or
   * `nodeFromInstance` needs a non-empty scheme and address, string serviceName and version, an
   * initialWeight that is undefined or an integer from 0 to `MAX_WEIGHT`, and metadata that is a
   * plain object of string values. The message names the node by address (or index).
   */
  apply(nodes: readonly Node[]): void {
    checkNodes(nodes);
    const previous = this.snapshot.byAddress;
    const weighted: WeightedNode[] = new Array(nodes.length);
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      const before = previous.get(node.address);
      weighted[i] =
        before !== undefined && before.raw === node ? before : this.nodeBuilder.build(node, before);
    }
    const snapshot = new Snapshot(weighted);
    this.snapshot = snapshot;
    this.candidates = this.candidatesOf(snapshot.nodes);
    this.balancer.update?.(snapshot.nodes);
  }

  /** The current weighted nodes, in apply order. */
  nodes(): readonly WeightedNode[] {
    return this.snapshot.nodes;
  }

  select(options?: SelectOptions): SelectResult {
    const cache = this.candidates;
    const context: SelectContext = options ?? EMPTY_CONTEXT;
    let candidates = cache.base;
    const own = this.filters;
    for (let i = 0; i < own.length && candidates.length > 0; i++) {
      candidates = cache.narrow(own[i]!, candidates, context);
    }
    const extra = options?.filters;
    if (extra !== undefined) {
      if (!Array.isArray(extra)) throw filtersProblem(extra, "select")!;
      for (let i = 0; i < extra.length && candidates.length > 0; i++) {
        const filter = extra[i]!;
        if (typeof filter !== "function") throw filtersProblem(extra, "select")!;
        // The common case inline: the same cached filter object as the last call, on the same list.
        candidates =
          filter === cache.lastFilter && candidates === cache.lastInput
            ? cache.lastOutput!
            : cache.narrow(filter, candidates, context);
      }
    }
    if (candidates.length === 0) throw this.noNode(options);
    const picked = this.balancer.pick(candidates, context, cache.info(candidates));
    return { node: picked.node.raw, done: picked.done };
  }

  /** The candidates every select starts from; the filter cache is keyed on this list. */
  private candidatesOf(base: readonly WeightedNode[]): CandidateCache {
    return new CandidateCache(base, this.stableInfo, this.unstableInfo);
  }

  private noNode(options: SelectOptions | undefined): Error {
    // The loop stops once nothing is left: check the filters it did not reach, so that a bad
    // filter is refused whatever the others return.
    const extra = options?.filters ?? NO_FILTERS;
    const problem = filtersProblem(extra, "select");
    if (problem !== undefined) return problem;
    const nodes = this.snapshot.nodes;
    const known = nodes.length;
    const service = known > 0 ? nodes[0]!.serviceName : "";
    const what = service !== "" ? `of "${service}" ` : "";
    if (known === 0) {
      return new NoAvailableNodeError(
        `${this.balancerName}: no node ${what}is known yet; check that discovery finds registered, healthy instances`,
      );
    }
    const filters = [...this.filters, ...extra].map(filterName).join(", ");
    return new NoAvailableNodeError(
      `${this.balancerName}: no node ${what}matched [${filters}]; ${known} node${known === 1 ? "" : "s"} known`,
    );
  }
}

function invalid(message: string): InvalidArgumentError {
  return new InvalidArgumentError(`selector: ${message}`);
}

/** Why `filters` is not an array of functions, or `undefined` when it is one. */
function filtersProblem(filters: unknown, where: string): InvalidArgumentError | undefined {
  if (!Array.isArray(filters)) {
    return invalid(
      `${where}: filters must be an array of NodeFilter functions, got ${describeValue(filters)}`,
    );
  }
  const i = filters.findIndex((filter) => typeof filter !== "function");
  if (i < 0) return undefined;
  return invalid(
    `${where}: filters[${i}] is ${describeValue(filters[i])}, not a function; pass NodeFilter functions ` +
      'such as version("2.0.0")',
  );
}

/**
 * Checks a whole node list before anything changes. Nodes built by createNode/nodeFromInstance
 * were checked when made and are frozen: only their addresses are compared. Any other object is
 * checked field by field, since a bad field (a weight "1" that wrr would concatenate, metadata
 * "abc") would corrupt balancing for as long as the node stays.
 */
function checkNodes(nodes: readonly Node[]): void {
  if (!Array.isArray(nodes)) throw invalid(`apply expects an array of nodes, got ${typeof nodes}`);
  const kept = "; the previous node list is kept";
  const seen = new Set<string>();
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    const address = typeof node === "object" && node !== null ? node.address : undefined;
    if (typeof address !== "string" || address === "") {
      throw invalid(`apply: item ${i} is not a node with a non-empty address${kept}`);
    }
    if (!isCheckedNode(node!)) {
      const scheme = node!.scheme;
      const problem =
        typeof scheme !== "string" || scheme === ""
          ? { field: "scheme", expected: "a non-empty string", got: scheme }
          : fieldProblem(node!, false);
      if (problem !== undefined) {
        throw invalid(
          `apply: node ${address} (item ${i}): ${problem.field} must be ${problem.expected}, got ` +
            `${describeValue(problem.got)}${kept}`,
        );
      }
    }
    if (seen.has(address)) {
      throw invalid(
        `apply: address ${address} appears twice; addresses must be unique within a service (the previous ` +
          "node list is kept)",
      );
    }
    seen.add(address);
  }
}

/**
 * A selector builder from a balancer builder and a node builder. Balancer packages export ready
 * ones (`wrr()`, `p2c()`, `random()`); use this to pair your own balancer with a node builder.
 * @throws InvalidArgumentError when `balancer` or `nodeBuilder` is missing, or `filters` is not an
 * array of functions.
 */
export function createSelectorBuilder(options: SelectorBuilderOptions): SelectorBuilder {
  if (typeof options?.balancer?.build !== "function") {
    throw new InvalidArgumentError(
      "createSelectorBuilder: balancer must be a BalancerBuilder (an object with build())",
    );
  }
  if (typeof options.nodeBuilder?.build !== "function") {
    throw new InvalidArgumentError(
      "createSelectorBuilder: nodeBuilder must be a WeightedNodeBuilder, such as direct() or ewma()",
    );
  }
  const filters = options.filters ?? NO_FILTERS;
  const problem = filtersProblem(filters, "createSelectorBuilder");
  if (problem !== undefined) throw problem;
  const frozen: SelectorBuilderOptions = {
    balancer: options.balancer,
    nodeBuilder: options.nodeBuilder,
    filters: Object.freeze([...filters]),
  };
  return { build: () => new DefaultSelector(frozen) };
}
