import {
  type CallPhase,
  type CallSlot,
  type Clock,
  type DoneFunc,
  type DoneInfo,
  InvalidArgumentError,
  type Logger,
  type Node,
  type OutcomeObserver,
  type WeightedNode,
  type WeightedNodeBuilder,
} from "@switchyard/api";
import { systemClock } from "./clock.js";
import { EWMA_TAU_MS, type EwmaCost, type EwmaCostName, ewmaCost, KRATOS_COST } from "./ewma-cost.js";
import { NodeHealthRecord } from "./health/node-health.js";
import { InflightTracker } from "./inflight.js";
import { classify, IsFailureGuard, isFailureGuard } from "./is-failure.js";
import { WrappedNode } from "./wrapped-node.js";

export type { EwmaCostName } from "./ewma-cost.js";
export { EWMA_PENALTY, EWMA_TAU_MS } from "./ewma-cost.js";
export { IS_FAILURE_REPORT_INTERVAL_MS } from "./is-failure.js";

/** The weight is recomputed at most this often, ms. */
export const EWMA_WEIGHT_TTL_MS = 5;
const SUCCESS = 1000;
/**
 * The cost used when none is given: `"linear"`, which the balancing simulator (bench/sim, README
 * there) shows ahead of Kratos's on errors and tail latency across its scenarios. Pass
 * `cost: "kratos"` for parity with Go services.
 */
export const DEFAULT_EWMA_COST: EwmaCostName = "linear";

/** Options of {@link ewma}. */
export interface EwmaOptions {
  /** Time source; default the system clock. Tests pass the fake clock of `@switchyard/testkit`. */
  readonly clock?: Clock;
  /**
   * Marks more completions as failures, on top of the built-in classes (cancellation, deadline,
   * connection errors, HTTP 503/504/429, gRPC UNAVAILABLE/DEADLINE_EXCEEDED). It cannot unmark them.
   * The selector's health layer counts the same classification.
   * Called with the outcome of every call that reports one; `info.error`, `info.httpStatus` and
   * `info.grpcStatus` are undefined when they do not apply (a success has no `error`).
   *
   * A throw never reaches the caller of `done`: that completion is classified by the built-in
   * classes alone (as if the predicate had returned `false`) and is recorded as usual. The throw is
   * reported through `logger` (or `process.emitWarning` without one): the first one at once, then at
   * most one report per {@link IS_FAILURE_REPORT_INTERVAL_MS} (a minute) for all the nodes of this
   * builder, each saying how many throws went unreported since the previous one.
   */
  readonly isFailure?: (info: DoneInfo) => boolean;
  /** Where a throwing `isFailure` is reported; default `process.emitWarning`. */
  readonly logger?: Logger;
  /**
   * The cost function (default {@link DEFAULT_EWMA_COST}).
   * - `"kratos"`: Kratos's formula and constants, for parity with Go services:
   *   success × 1e9 / (√(latency + 5 ms) × in flight), averages decayed by time alone.
   * - `"linear"`: (success/1000)⁴ × 1e6 / ((latency + 5 ms) × in flight), and every completion moves
   *   the success average by at least a tenth, so a burst of failures counts. Steers harder away
   *   from slow and failing nodes (bench/sim). The latency of a node with nothing in flight fades
   *   towards zero in the weight (× exp(-t/τ), t since its last completion) while its success
   *   average is at least 95%, so a node that lost its draws is tried again (one-at-a-time traffic
   *   no longer starves a node whose first call was slow).
   *   Kratos's cost has no such fade: there an idle node keeps its last latency until the next probe.
   */
  readonly cost?: EwmaCostName;
}

/**
 * A node that tracks exponentially weighted moving averages of latency and success and the calls
 * in flight, and weighs itself by its cost function (see {@link EwmaOptions.cost}); Kratos's is
 * success × 1e9 / load, with load = √(latency + 5 ms) × in flight (latency in ns). Either way the
 * latency is raised to the mean age of the in-flight calls when most of them are older than the
 * average. With the linear cost, the latency of an idle node fades with the time since its last
 * completion (see {@link EwmaOptions.cost}). The `Node` fields are read from `raw`
 * ({@link WrappedNode}).
 */
export class EwmaNode extends WrappedNode implements WeightedNode {
  /** Where the outcomes of its calls go (the selector's health record of its address), if anywhere. */
  observer: OutcomeObserver | undefined = undefined;
  /** The observer when it is the selector's health record: counted in place. */
  private record: NodeHealthRecord | undefined = undefined;
  /** The record's weight factor, kept here (`rescale`) so that `weight()` reads no other object. */
  private factor = 1;
  /** Completed calls, counted here when the observer is the selector's record. */
  settled = 0;
  private readonly clock: Clock;
  private readonly isFailure: IsFailureGuard | undefined;
  private readonly cost: EwmaCost;
  /** Average latency, ms; meaningful once `timed`. */
  private lag = 0;
  /** Some completion was recorded (the averages are no longer their initial values). */
  private sampled = false;
  /** Some completion reached the node, so `lag` holds a latency sample. */
  private timed = false;
  /** Average success, per mille. */
  private success = SUCCESS;
  /** Calls in flight, plus one (Kratos starts at 1 so an idle node has load). */
  private inflight = 1;
  private stamp = 0;
  private lastPick = Number.NEGATIVE_INFINITY;
  private predicted = 0;
  private predictedAt = Number.NEGATIVE_INFINITY;
  private cachedWeight = 0;
  private cachedAt = Number.NEGATIVE_INFINITY;
  private readonly calls = new InflightTracker();
  /** The selector's flag for two-phase picks (see `CallPhase`), when it gave one. */
  phase: CallPhase | undefined = undefined;

  /**
   * Prefer {@link ewma}'s builder. A bare `isFailure` function given here is isolated the same way,
   * reported through `process.emitWarning`.
   */
  constructor(
    node: Node,
    clock: Clock,
    isFailure: IsFailureGuard | ((info: DoneInfo) => boolean) | undefined,
    cost: EwmaCost = KRATOS_COST,
    observer?: OutcomeObserver,
    phase?: CallPhase,
  ) {
    super(node);
    this.clock = clock;
    this.isFailure =
      typeof isFailure === "function" ? new IsFailureGuard(isFailure, undefined, clock) : isFailure;
    this.cost = cost;
    this.phase = phase;
    this.reportTo(observer);
  }

  /** Points the node's outcomes at `observer` (the selector's health record of its address). */
  reportTo(observer: OutcomeObserver | undefined): void {
    this.observer = observer;
    this.record = observer instanceof NodeHealthRecord ? observer : undefined;
    this.record?.attach(this);
    this.factor = observer?.weightFactor ?? 1;
  }

  /** Calls picked (for the selector's record, which reads the counts from the node). */
  get picks(): number {
    return this.settled + this.inflight - 1;
  }

  /** The selector's record tells the node its weight factor changed (slow start). */
  rescale(factor: number): void {
    this.factor = factor;
  }

  /** Points this node at a new version of its node (same address), keeping the statistics. */
  rebind(node: Node): void {
    this.raw = node;
  }

  /** The cost function's weight (recomputed at most every 5 ms), times the observer's `weightFactor`. */
  weight(now: number = this.clock.now()): number {
    if (now - this.cachedAt > EWMA_WEIGHT_TTL_MS) {
      this.cachedAt = now;
      this.cachedWeight = this.compute(now);
    }
    // The selector's record pushes its factor here; another observer is read each time.
    const observer = this.observer;
    const factor = observer === undefined || this.record !== undefined ? this.factor : observer.weightFactor;
    return this.cachedWeight * factor;
  }

  /**
   * Records a pick and counts its call in flight from now; during a two-phase pick (the selector's
   * `CallPhase.deferred`) records the pick only and returns the phase's `notStarted`: the call
   * counts from {@link startCall}.
   */
  pick(now: number = this.clock.now()): DoneFunc {
    this.lastPick = now;
    const phase = this.phase;
    if (phase?.deferred === true) return phase.notStarted;
    this.inflight++;
    const ticket = this.calls.add(now);
    let called = false;
    return (info?: DoneInfo) => {
      if (called) return;
      called = true;
      this.complete(ticket, now, info);
    };
  }

  /** Two-phase picks: the call of a deferred pick started (in flight, and its latency, from now). */
  startCall(call: CallSlot, now: number = this.clock.now()): void {
    // Idle since its pick, it may have been folded by an apply in between: count it again.
    if (this.inflight === 1) this.record?.revive(this);
    this.inflight++;
    call.ticket = this.calls.add(now);
    call.startedAt = now;
  }

  /** Two-phase picks: the call `startCall` started with `call` ended. */
  endCall(call: CallSlot, info?: DoneInfo): void {
    this.complete(call.ticket, call.startedAt, info);
  }

  pickElapsed(now: number = this.clock.now()): number {
    return now - this.lastPick;
  }

  /** Calls picked and not yet completed. */
  callsInFlight(): number {
    return this.inflight - 1;
  }

  /** A snapshot of the statistics, for tests and dashboards. */
  stats(): { latencyMs: number | undefined; success: number; inflight: number; predictedMs: number } {
    return {
      latencyMs: this.timed ? this.lag : undefined,
      success: this.success,
      inflight: this.inflight - 1,
      predictedMs: this.predicted,
    };
  }

  private compute(now: number): number {
    if (now - this.predictedAt > clamp(this.lag / 5, 5, 200)) {
      this.predictedAt = now;
      const older = this.calls.older(now, this.lag);
      this.predicted = older.count > ((this.calls.size / 2) | 0) + 1 ? older.total / older.count : 0;
    }
    if (!this.timed) return this.cost.unsampled(this.success, this.inflight);
    let lag = this.lag;
    // Idle (nothing in flight) since the last completion: the latency sample fades towards zero.
    if (this.inflight === 1 && now > this.stamp && this.success >= this.cost.idleDecayMinSuccess) {
      lag *= Math.exp((this.stamp - now) / EWMA_TAU_MS);
    }
    return this.cost.weight(this.success, Math.max(this.predicted, lag), this.inflight);
  }

  private complete(ticket: number, start: number, info: DoneInfo | undefined): void {
    this.calls.remove(ticket);
    this.inflight--;
    const failed = classify(info, this.isFailure);
    // A call that never reached the node (bytesSent: false) says nothing of its latency; unless it
    // failed (a refused connection), it says nothing at all.
    const reached = info?.bytesSent !== false;
    const record = this.record;
    if (record !== undefined) {
      // The selector's own record reads the count here: a success touches no other object (this
      // call's closure is the guard).
      this.settled++;
      if (failed) record.owner.failed(record, info);
      else if (!reached) record.ignored++;
    } else if (this.observer !== undefined && (reached || failed)) {
      this.observer.observe(failed, info);
    }
    if (!reached && !failed) return;
    const now = this.clock.now();
    const elapsed = now - this.stamp;
    this.stamp = now;
    // The very first sample replaces the initial values outright.
    const w = this.sampled ? Math.exp(-Math.max(elapsed, 0) / EWMA_TAU_MS) : 0;
    if (reached) {
      const kept = this.timed ? w : 0;
      let lag = now > start ? now - start : 0;
      // A failure that came back fast (a 503 or 429 shed in a millisecond) is no sign of speed.
      if (failed && !this.cost.fastFailuresLowerLatency && lag < this.lag) lag = this.lag;
      this.lag = this.lag * kept + lag * (1 - kept);
      this.timed = true;
    }
    this.sampled = true;
    const keep = Math.min(w, this.cost.successKeepMax);
    this.success = this.success * keep + (failed ? 0 : SUCCESS) * (1 - keep);
  }
}

function clamp(value: number, min: number, max: number): number {
  return value < min ? min : Math.min(value, max);
}

/**
 * The node builder of latency- and error-aware balancers (p2c). A node that stays across an
 * apply keeps its statistics (a rebuilt node keeps its cost function too). Its nodes take two-phase
 * picks (`startsCalls`): a call of a two-phase select counts in flight, and its latency, from its
 * start.
 * The done callbacks of its nodes never throw (see {@link EwmaOptions.isFailure}).
 * @throws InvalidArgumentError on an unknown `cost`, a non-function `isFailure` or a logger without `warn`.
 */
export function ewma(options: EwmaOptions = {}): WeightedNodeBuilder {
  const clock = options.clock ?? systemClock;
  const isFailure = isFailureGuard(options, clock, "ewma");
  const cost = ewmaCost(options.cost ?? DEFAULT_EWMA_COST);
  if (cost === undefined) {
    throw new InvalidArgumentError(
      `ewma: unknown cost ${JSON.stringify(options.cost)}; expected "kratos" or "linear"`,
    );
  }
  return {
    name: "ewma",
    reportsOutcomes: true,
    startsCalls: true,
    build(node: Node, previous?: WeightedNode, observer?: OutcomeObserver, phase?: CallPhase): WeightedNode {
      if (previous instanceof EwmaNode) {
        previous.rebind(node);
        previous.reportTo(observer);
        previous.phase = phase;
        return previous;
      }
      return new EwmaNode(node, clock, isFailure, cost, observer, phase);
    },
  };
}
