import {
  type Balancer,
  type BalancerBuilder,
  type CandidateInfo,
  type Clock,
  type DeferredSelection,
  type DoneFunc,
  InvalidArgumentError,
  type Logger,
  NoAvailableNodeError,
  type Node,
  type NodeFilter,
  type NodeHealth,
  type Picked,
  type SelectContext,
  type SelectOptions,
  type Selector,
  type SelectorBuilder,
  type SelectResult,
  type WeightedNode,
  type WeightedNodeBuilder,
} from "@switchyard/api";
import { checkClock } from "@switchyard/kit";
import { CandidateCache } from "./candidates.js";
import { SelectorTap, selectObserved } from "./diagnostics.js";
import { filterName } from "./filter.js";
import { HealthLayer } from "./health/health-layer.js";
import { type HealthOptions, type HealthSettings, healthSettings } from "./health/health-options.js";
import { EJECTED, type NodeHealthRecord } from "./health/node-health.js";
import { watchedDone } from "./health/observed-done.js";
import { NodeSelection } from "./selection.js";
import { checkNodes, filtersProblem } from "./selector-checks.js";
import { Snapshot } from "./snapshot.js";

const EMPTY_CONTEXT: SelectContext = Object.freeze({});
/** What nodes return from a pick of a two-phase select (`CallPhase.notStarted`). */
const notStarted: DoneFunc = () => {};
const NO_FILTERS: readonly NodeFilter[] = Object.freeze([]);
const NO_HEALTH: readonly NodeHealth[] = Object.freeze([]);

/** What {@link createSelectorBuilder} takes. */
export interface SelectorBuilderOptions {
  /** Picks among the filtered nodes. */
  readonly balancer: BalancerBuilder;
  /** Wraps each node with the state the balancer reads (`direct()`, `ewma()`, …). */
  readonly nodeBuilder: WeightedNodeBuilder;
  /** Filters every select runs first, before the per-call ones. */
  readonly filters?: readonly NodeFilter[];
  /**
   * Endpoint health (on by default): nodes whose calls fail are ejected from the candidates every
   * balancer sees, probed, and brought back (see `HealthOptions` and the README). `false` turns it
   * off: every node stays a candidate whatever its calls do, as in Kratos.
   */
  readonly health?: false | HealthOptions;
  /** The health layer's time source (ejections, probes, intervals); default the system clock. */
  readonly clock?: Clock;
  /** Where ejections and returns are reported (`warn`); default `process.emitWarning`. */
  readonly logger?: Logger;
}

/** The options a selector is built from, checked. */
interface SelectorConfig {
  readonly balancer: BalancerBuilder;
  readonly nodeBuilder: WeightedNodeBuilder;
  readonly filters: readonly NodeFilter[];
  readonly health: HealthSettings | undefined;
  readonly clock: Clock;
  readonly logger: Logger | undefined;
}

/**
 * The default selector: filters, then a balancer, over weighted nodes that keep their state
 * across applies for addresses that stay. Every pick tells the balancer whether its candidates are
 * a stable list and whether weights are static (`CandidateInfo`): stable lists are the list every
 * select starts from (the nodes of the last apply, less the ejected ones) and the cached results of
 * filters with a `cacheKey`; weights are static when the node builder says so
 * (`WeightedNodeBuilder.staticWeights`).
 *
 * With endpoint health (the default), ejecting or returning a node swaps the list selects start
 * from for a new one (new identity, new filter cache), so balancers and cached filters follow
 * without a filter per call; an ejected node due for a probe gets one call whose filters admit it.
 */
export class DefaultSelector implements Selector {
  private snapshot = new Snapshot([]);
  /** The candidates over every node of the last apply. */
  private full: CandidateCache;
  /** The candidates selects start from: `full` unless nodes are ejected. */
  private candidates: CandidateCache;
  /** The next select attends to the health layer: a probe is due, or the stall detector waits. */
  private attention = false;
  private readonly layer: HealthLayer | undefined;
  /** The node builder does not report outcomes: the selector reports them (a closure per call). */
  private readonly reportDones: boolean;
  /** Every call's done is watched: the builder does not report outcomes, or no node is healthy. */
  private watchAll = false;
  private readonly balancer: Balancer;
  private readonly balancerName: string;
  private readonly nodeBuilder: WeightedNodeBuilder;
  private readonly filters: readonly NodeFilter[];
  /** The shared `CandidateInfo` objects, by stable (1), failing (2) and ramping (4): none per pick. */
  private readonly infos: readonly CandidateInfo[];
  /** The diagnostics channels' side (`switchyard:pick`, …): used only while one has a subscriber. */
  private readonly tap: SelectorTap;
  /** Told to the nodes at build: set while the balancer picks for a two-phase select. */
  private readonly phase = { deferred: false, notStarted: notStarted };
  /** The node builder's nodes take two-phase picks (`startsCalls`). */
  private readonly startsCalls: boolean;
  /** What the balancer picked in the last select (`undefined` after a probe). */
  private picked: Picked | undefined = undefined;

  /** @throws InvalidArgumentError on bad options, as {@link createSelectorBuilder} does. */
  constructor(options: SelectorBuilderOptions) {
    const config = configOf(options, "selector");
    this.balancer = config.balancer.build();
    this.balancerName = config.balancer.name;
    this.nodeBuilder = config.nodeBuilder;
    this.filters = config.filters;
    const staticWeights = config.nodeBuilder.staticWeights === true;
    this.infos = Array.from({ length: 8 }, (_, bits) => {
      const info: CandidateInfo = { stable: (bits & 1) !== 0, staticWeights };
      return Object.freeze(
        bits < 2 ? info : { ...info, failing: (bits & 2) !== 0, ramping: (bits & 4) !== 0 },
      );
    });
    this.full = new CandidateCache(this.snapshot.nodes, this.infos[1]!, this.infos[0]!);
    this.candidates = this.full;
    const settings = config.health;
    this.layer =
      settings === undefined
        ? undefined
        : new HealthLayer(settings, config.clock, config.logger, this.balancerName, {
            selector: this,
            healthChanged: () => this.rebase(),
            attention: () => {
              this.attention = true;
            },
          });
    this.startsCalls = config.nodeBuilder.startsCalls === true;
    this.reportDones = this.layer !== undefined && config.nodeBuilder.reportsOutcomes !== true;
    this.watchAll = this.reportDones;
    this.attention = this.layer !== undefined;
    this.tap = new SelectorTap(this, this.balancerName, config.clock, (a) => this.layer?.recordOf(a));
  }

  /**
   * Replaces the node list. The new list is checked whole before anything changes: on bad input
   * the previous list stays in place. The health of an address that stays is kept.
   * @throws InvalidArgumentError when `nodes` is not an array, holds two nodes with the same
   * address, or holds something that is not a valid node: an object not built by `createNode` or
   * `nodeFromInstance` needs a non-empty scheme and address, string serviceName and version, an
   * initialWeight that is undefined or an integer from 0 to `MAX_WEIGHT`, and metadata that is a
   * plain object of string values. The message names the node by address (or index).
   */
  apply(nodes: readonly Node[]): void {
    checkNodes(nodes);
    const previous = this.snapshot.byAddress;
    const layer = this.layer;
    const records: NodeHealthRecord[] = layer === undefined ? [] : new Array(nodes.length);
    const weighted: WeightedNode[] = new Array(nodes.length);
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      const before = previous.get(node.address);
      let observer: NodeHealthRecord | undefined;
      if (layer !== undefined) {
        observer = records[i] = layer.recordFor(node.address, before?.observer);
        if (this.reportDones) observer = undefined;
      }
      weighted[i] =
        before !== undefined && before.raw === node
          ? before
          : this.nodeBuilder.build(node, before, observer, this.phase);
    }
    const snapshot = new Snapshot(weighted);
    this.snapshot = snapshot;
    this.full = new CandidateCache(snapshot.nodes, this.infos[1]!, this.infos[0]!);
    layer?.update(snapshot.nodes, records);
    this.rebase();
    this.balancer.update?.(snapshot.nodes);
    this.tap.applied(previous, nodes);
  }

  /** The current weighted nodes, in apply order. */
  nodes(): readonly WeightedNode[] {
    return this.snapshot.nodes;
  }

  /** The health of every current node, in apply order; empty when built with `health: false`. */
  health(): readonly NodeHealth[] {
    return this.layer?.health() ?? NO_HEALTH;
  }

  select(options?: SelectOptions): SelectResult {
    if (!selectObserved()) return this.choose(options);
    const result = this.chooseObserved(options, true);
    return { node: result.node, done: this.tap.picked(result.node, result.done, options) };
  }

  /** The select itself: a probe when one is due, else the filters and the balancer. */
  private choose(options?: SelectOptions): SelectResult {
    if (this.attention) {
      this.layer!.attend();
      const probe = this.probe(options);
      if (probe !== undefined) return probe;
    }
    let cache = this.candidates;
    let candidates = this.filtered(cache, options);
    if (candidates.length === 0 && cache !== this.full) {
      // Never zero candidates: the filters left only ejected nodes, so this call may use them.
      cache = this.full;
      candidates = this.filtered(cache, options);
    }
    if (candidates.length === 0) throw this.noNode(options);
    this.tap.candidates = candidates.length;
    const picked = this.balancer.pick(candidates, options ?? EMPTY_CONTEXT, cache.info(candidates));
    const node = picked.node;
    this.picked = picked;
    return { node: node.raw, done: this.watchAll ? this.watched(node, picked.done, false) : picked.done };
  }

  /**
   * Two-phase select: picks as `select` does, and the call counts on its node from `start()` on the
   * result (see `DeferredSelection`). Counted at the pick instead (`deferred: false`) when the node
   * builder does not take two-phase picks, or for a probe of an ejected node; counted from the start
   * but `deferred: false` (its done must run) when the balancer returned a done of its own.
   */
  selectDeferred(options?: SelectOptions): DeferredSelection {
    const observed = selectObserved();
    const selection = this.startsCalls
      ? this.deferredPick(options, observed)
      : this.counted(options, observed);
    if (observed) selection.observe(this.tap, options);
    return selection;
  }

  /** A two-phase pick: the node counts the call from its start (see {@link selectDeferred}). */
  private deferredPick(options: SelectOptions | undefined, observed: boolean): NodeSelection {
    this.picked = undefined;
    this.phase.deferred = true;
    let result: SelectResult;
    try {
      result = this.chooseObserved(options, observed);
    } finally {
      this.phase.deferred = false;
    }
    // Set by choose() unless it sent a probe.
    const picked = this.picked as Picked | undefined;
    // A probe picks its node itself, counted.
    if (picked === undefined) return new NodeSelection(result.node, undefined, result.done);
    const node = picked.node;
    // A balancer that returned a done of its own keeps state per call: it still gets its done.
    const own = picked.done === notStarted ? undefined : picked.done;
    const selection = new NodeSelection(result.node, node, own);
    if (this.watchAll) selection.watch = this.watched(node, (info) => selection.end(info), false);
    return selection;
  }

  /** `choose`, and a failed select published on `switchyard:error` while observed. */
  private chooseObserved(options: SelectOptions | undefined, observed: boolean): SelectResult {
    if (!observed) return this.choose(options);
    this.tap.candidates = 1;
    try {
      return this.choose(options);
    } catch (error) {
      this.tap.failed(error, options);
      throw error;
    }
  }

  /** A two-phase select counted at the pick. */
  private counted(options: SelectOptions | undefined, observed: boolean): NodeSelection {
    const result = this.chooseObserved(options, observed);
    return new NodeSelection(result.node, undefined, result.done);
  }

  /** The selector's filters, then the call's, over the list `cache` starts from. */
  private filtered(cache: CandidateCache, options: SelectOptions | undefined): readonly WeightedNode[] {
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
    return candidates;
  }

  /**
   * Sends this call to an ejected node due for a probe, when the call's filters admit it; one probe
   * per node at a time. `undefined`: no probe for this call (the balancer picks as usual).
   */
  private probe(options: SelectOptions | undefined): SelectResult | undefined {
    const layer = this.layer!;
    const extra = options?.filters;
    // A bad filter list is the normal path's to report.
    if (extra !== undefined && filtersProblem(extra, "select") !== undefined) return undefined;
    const context: SelectContext = options ?? EMPTY_CONTEXT;
    for (;;) {
      const record = layer.takeProbe();
      if (record === undefined) {
        this.attention = false;
        return undefined;
      }
      if (!this.admits(record.probeList(), context, extra ?? NO_FILTERS)) {
        layer.probeRefused(record);
        continue;
      }
      layer.probeSent(record);
      const node = record.node!;
      this.phase.deferred = false; // a probe is counted at its pick
      return { node: node.raw, done: watchedDone(layer, record, node.pick(), true, this.reportDones) };
    }
  }

  /** Whether every filter keeps the one node of `alone`; a filter that throws does not. */
  private admits(
    alone: readonly WeightedNode[],
    context: SelectContext,
    extra: readonly NodeFilter[],
  ): boolean {
    try {
      let list = alone;
      for (let i = 0; i < this.filters.length && list.length > 0; i++) {
        list = this.full.narrow(this.filters[i]!, list, context);
      }
      for (let i = 0; i < extra.length && list.length > 0; i++)
        list = this.full.narrow(extra[i]!, list, context);
      return list.length > 0;
    } catch {
      return false;
    }
  }

  /** A done whose outcome the selector watches (see `watchedDone`): one closure per call. */
  private watched(node: WeightedNode, done: DoneFunc, probe: boolean): DoneFunc {
    const layer = this.layer!;
    const record = layer.recordOf(node.address);
    return record === undefined ? done : watchedDone(layer, record, done, probe, this.reportDones);
  }

  /**
   * Points selects at the nodes balancers may see now: all of them (nothing ejected, or panic), or
   * all but the ejected ones. While a node ramps up, every step of its weight is a new list, so that
   * weights stay fixed for as long as one list is handed out (`CandidateInfo.staticWeights`).
   */
  private rebase(): void {
    const layer = this.layer;
    this.watchAll = this.reportDones || layer?.panic === true;
    const all = layer === undefined || layer.ejected === 0 || layer.panic;
    if (all && (layer === undefined || (layer.ramps.size === 0 && !layer.suspects))) {
      this.candidates = this.full;
      return;
    }
    const nodes = this.snapshot.nodes;
    const records = layer!.records;
    const list: WeightedNode[] = [];
    for (let i = 0; i < nodes.length; i++) if (all || records[i]!.state !== EJECTED) list.push(nodes[i]!);
    this.candidates = this.candidatesOf(Object.freeze(list));
  }

  /**
   * The candidates every select starts from; the filter cache is keyed on this list. Its picks are
   * told whether some candidate may be failing or ramping up, so balancers look only then.
   */
  private candidatesOf(base: readonly WeightedNode[]): CandidateCache {
    const layer = this.layer;
    const bits = layer === undefined ? 0 : (layer.suspects ? 2 : 0) | (layer.ramps.size > 0 ? 4 : 0);
    return new CandidateCache(base, this.infos[bits | 1]!, this.infos[bits]!);
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

/** The checked config of `options`; `where` starts the messages. */
function configOf(options: SelectorBuilderOptions, where: string): SelectorConfig {
  if (typeof options?.balancer?.build !== "function") {
    throw new InvalidArgumentError(`${where}: balancer must be a BalancerBuilder (an object with build())`);
  }
  if (typeof options.nodeBuilder?.build !== "function") {
    throw new InvalidArgumentError(
      `${where}: nodeBuilder must be a WeightedNodeBuilder, such as direct() or ewma()`,
    );
  }
  const filters = options.filters ?? NO_FILTERS;
  const problem = filtersProblem(filters, where);
  if (problem !== undefined) throw problem;
  const logger = options.logger;
  if (
    logger !== undefined &&
    (typeof logger !== "object" || logger === null || typeof logger.warn !== "function")
  ) {
    throw new InvalidArgumentError(`${where}: logger must be an object with a warn(message, details) method`);
  }
  return Object.freeze({
    balancer: options.balancer,
    nodeBuilder: options.nodeBuilder,
    filters: Object.freeze([...filters]),
    health: options.health === false ? undefined : healthSettings(options.health, where),
    clock: checkClock(options.clock, where),
    logger,
  });
}

/**
 * A selector builder from a balancer builder and a node builder. Balancer packages export ready
 * ones (`wrr()`, `p2c()`, `random()`); use this to pair your own balancer with a node builder.
 * Endpoint health is on unless `health: false`; a node builder that does not declare
 * `reportsOutcomes` still gets it, at the cost of a closure per call.
 * @throws InvalidArgumentError when `balancer` or `nodeBuilder` is missing, `filters` is not an
 * array of functions, `health` holds an unknown or out-of-range option, or `clock` or `logger` lack
 * their methods.
 */
export function createSelectorBuilder(options: SelectorBuilderOptions): SelectorBuilder {
  const config = configOf(options, "createSelectorBuilder");
  const checked: SelectorBuilderOptions = Object.freeze({ ...config, health: config.health ?? false });
  return { build: () => new DefaultSelector(checked) };
}
