import type {
  CallPhase,
  CallSlot,
  Clock,
  DoneFunc,
  DoneInfo,
  Logger,
  Node,
  OutcomeObserver,
  WeightedNode,
  WeightedNodeBuilder,
} from "@switchyard/api";
import { systemClock } from "./clock.js";
import { NodeHealthRecord } from "./health/node-health.js";
import { classify, type IsFailureGuard, isFailureGuard } from "./is-failure.js";
import { WrappedNode } from "./wrapped-node.js";

/** Weight of a direct node whose publisher gave none (Kratos's default). */
export const DEFAULT_WEIGHT = 100;

const noop: DoneFunc = () => {};

/**
 * The done of every pick of a direct node whose observer is the selector's own health record: a
 * success is a guard and a counter on the node itself, with no call and nothing else touched (its
 * picks are the guard: a done called more often than the node was picked counts once per pick);
 * anything that may be a failure is classified, and a failure goes to the layer. One function per
 * node, made when the node is built. Never throws.
 */
function countingDone(node: DirectNode): DoneFunc {
  return (info?: DoneInfo) => {
    if (node.settled >= node.picks) return;
    node.settled++;
    if (info === undefined) return;
    const isFailure = node.isFailure;
    // The common success: no error, no status that may mean a failure, sent.
    if (
      isFailure === undefined &&
      (info.error === undefined || info.error === null) &&
      info.bytesSent !== false
    ) {
      const http = info.httpStatus;
      const grpc = info.grpcStatus;
      if (http !== 503 && http !== 504 && http !== 429 && (grpc === undefined || grpc === 0)) return;
    }
    const record = node.record!;
    if (classify(info, isFailure)) record.owner.failed(record, info);
    else if (info.bytesSent === false) record.ignored++;
  };
}

/**
 * A weighted node whose weight is the initial weight its node had when it was built, or
 * {@link DEFAULT_WEIGHT} when none. The weight never changes while the node lives (its builder
 * says so with `staticWeights`), which lets balancers precompute plans. The `Node` fields are read
 * from `raw` ({@link WrappedNode}).
 *
 * Without an observer its done callback does nothing (one shared no-op). With one (the selector's
 * health layer), the node makes one done function when it is built, shared by all its picks, and
 * counts its picks: the dones report one outcome per pick, never more. So a done called twice is
 * ignored while no other call of the node is in flight, but stands in for one of them when some are
 * (whose own report is then the one ignored): the counts stay right without an object per call.
 * With the selector's own health record as observer, a success is one counter on it.
 */
export class DirectNode extends WrappedNode implements WeightedNode {
  /** Where the outcomes of its calls go (the selector's health record of its address), if anywhere. */
  readonly observer: OutcomeObserver | undefined;
  private readonly clock: Clock;
  private readonly recordTime: boolean;
  private readonly staticWeight: number;
  /** The user's predicate (read by its done). */
  readonly isFailure: IsFailureGuard | undefined;
  /** The observer when it is the selector's health record: counted in place, no call per success. */
  readonly record: NodeHealthRecord | undefined;
  private readonly done: DoneFunc;
  /** Picks and completed picks, counted here when the record is the selector's (see `countingDone`). */
  picks = 0;
  settled = 0;
  private inflight = 0;
  private lastPick: number;
  /** The selector's flag for two-phase picks (see `CallPhase`), when it gave one. */
  private readonly phase: CallPhase | undefined;

  /**
   * With `record` false, a pick records its time only when the balancer passes `now`. `observer`
   * and `isFailure` are what {@link direct}'s builder passes when the selector has a health layer.
   */
  constructor(
    node: Node,
    clock: Clock,
    record = true,
    lastPick = Number.NEGATIVE_INFINITY,
    observer?: OutcomeObserver,
    isFailure?: IsFailureGuard,
    phase?: CallPhase,
  ) {
    super(node);
    this.phase = phase;
    this.clock = clock;
    this.recordTime = record;
    this.staticWeight = node.initialWeight ?? DEFAULT_WEIGHT;
    this.lastPick = lastPick;
    this.observer = observer;
    this.isFailure = isFailure;
    this.record = observer instanceof NodeHealthRecord ? observer : undefined;
    if (this.record !== undefined) {
      this.record.attach(this);
      this.done = countingDone(this);
    } else this.done = observer === undefined ? noop : (info?: DoneInfo) => this.complete(info);
  }

  /** The initial weight (or 100), times the observer's `weightFactor` while the node ramps up. */
  weight(): number {
    const observer = this.observer;
    return observer === undefined ? this.staticWeight : this.staticWeight * observer.weightFactor;
  }

  /**
   * Records a pick and counts its call; during a two-phase pick (the selector's `CallPhase.deferred`)
   * records the pick only and returns a done that does nothing: the call counts from
   * {@link startCall}.
   */
  pick(now?: number): DoneFunc {
    if (now !== undefined) this.lastPick = now;
    else if (this.recordTime) this.lastPick = this.clock.now();
    const phase = this.phase;
    if (phase?.deferred === true) return phase.notStarted;
    if (this.record !== undefined) this.picks++;
    else if (this.observer !== undefined) this.inflight++;
    return this.done;
  }

  /** Two-phase picks: the call of a deferred pick started. A direct node keeps nothing per call. */
  startCall(_call: CallSlot): void {
    const record = this.record;
    if (record !== undefined) {
      // Idle since its pick, it may have been folded by an apply in between: count it again.
      if (this.picks === this.settled) record.revive(this);
      this.picks++;
    } else if (this.observer !== undefined) this.inflight++;
  }

  /** Two-phase picks: a started call ended; reported as the done of a pick is. */
  endCall(_call: CallSlot, info?: DoneInfo): void {
    this.done(info);
  }

  pickElapsed(now?: number): number {
    return (now ?? this.clock.now()) - this.lastPick;
  }

  /** The time of the last pick, for carrying it over to a rebuilt node. */
  lastPickedAt(): number {
    return this.lastPick;
  }

  private complete(info: DoneInfo | undefined): void {
    if (this.inflight === 0) return;
    this.inflight--;
    const failed = classify(info, this.isFailure);
    // A call that never reached the node and did not fail (it never started) tells nothing.
    if (failed || info === undefined || info.bytesSent !== false) this.observer!.observe(failed, info);
  }
}

/** Options of {@link direct}. */
export interface DirectOptions {
  /** Time source for `pickElapsed`; default the system clock. */
  readonly clock?: Clock;
  /**
   * Read the clock on every pick so `pickElapsed` is exact (default true). Balancers that never
   * ask for `pickElapsed` (wrr, random) turn it off and save a clock read per pick; a pick that
   * is given `now` records it either way.
   */
  readonly recordPickTime?: boolean;
  /**
   * Marks more completions as failures for the selector's health layer, on top of the built-in
   * classes (`isNodeFailure`: cancellation, deadline, connection errors, HTTP 503/504/429, gRPC
   * UNAVAILABLE/DEADLINE_EXCEEDED/CANCELLED). Isolated as `ewma`'s is: a throw never reaches the
   * caller of `done`, the call is classified by the built-in classes alone, and the throw is
   * reported through `logger` at most once a minute.
   */
  readonly isFailure?: (info: DoneInfo) => boolean;
  /** Where a throwing `isFailure` is reported; default `process.emitWarning`. */
  readonly logger?: Logger;
}

/**
 * The node builder for balancers that use the publisher's weight as it is (wrr, random).
 * Its weights are static (`staticWeights: true`): a node that comes back with another weight is a
 * new node object. It reports outcomes (`reportsOutcomes: true`): given an observer (the
 * selector's health layer), its nodes report each call's outcome to it from a done function made
 * once per node; without one, done does nothing. Its nodes take two-phase picks (`startsCalls`).
 * @throws InvalidArgumentError when `isFailure` is not a function or `logger` has no `warn`.
 */
export function direct(options: DirectOptions = {}): WeightedNodeBuilder {
  const clock = options.clock ?? systemClock;
  const record = options.recordPickTime !== false;
  const isFailure = isFailureGuard(options, clock, "direct");
  return {
    name: "direct",
    staticWeights: true,
    reportsOutcomes: true,
    startsCalls: true,
    build(node: Node, previous?: WeightedNode, observer?: OutcomeObserver, phase?: CallPhase): WeightedNode {
      const lastPick = previous instanceof DirectNode ? previous.lastPickedAt() : undefined;
      return new DirectNode(node, clock, record, lastPick, observer, isFailure, phase);
    },
  };
}
