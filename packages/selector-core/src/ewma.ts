import {
  type Clock,
  type DoneFunc,
  type DoneInfo,
  InvalidArgumentError,
  type Metadata,
  type Node,
  type WeightedNode,
  type WeightedNodeBuilder,
} from "@switchyard/api";
import { systemClock } from "./clock.js";
import { isNodeFailure } from "./failure.js";
import { InflightTracker } from "./inflight.js";

/** Decay constant of the moving averages, ms: an old value keeps exp(-Δt/τ) of its weight. */
export const EWMA_TAU_MS = 600;
/** Load of a node with no latency sample yet, per call in flight (Kratos: 100 µs in ns). */
export const EWMA_PENALTY = 1e5;
/** Added to the latency before its square root, in ns (5 ms: evens out zones). */
const LATENCY_OFFSET_NS = 5e6;
/** The weight is recomputed at most this often, ms. */
export const EWMA_WEIGHT_TTL_MS = 5;
const SUCCESS = 1000;

/** Options of {@link ewma}. */
export interface EwmaOptions {
  /** Time source; default the system clock. Tests pass the fake clock of `@switchyard/testkit`. */
  readonly clock?: Clock;
  /**
   * Marks more completions as failures, on top of the built-in classes (cancellation, deadline,
   * connection errors, HTTP 503/504, gRPC UNAVAILABLE/DEADLINE_EXCEEDED). It cannot unmark them.
   */
  readonly isFailure?: (info: DoneInfo) => boolean;
  /** The cost function; `"kratos"` (default) is Kratos's formula and constants. */
  readonly cost?: "kratos";
}

/**
 * A node that tracks exponentially weighted moving averages of latency and success and the calls
 * in flight, and weighs itself as success × 1e9 / load, with load = √(latency + 5 ms) × in flight
 * (latency in ns, raised to the mean age of the in-flight calls when most of them are older than
 * the average).
 */
export class EwmaNode implements WeightedNode {
  raw: Node;
  scheme: string;
  address: string;
  serviceName: string;
  initialWeight: number | undefined;
  version: string;
  metadata: Metadata;

  private readonly clock: Clock;
  private readonly isFailure: ((info: DoneInfo) => boolean) | undefined;
  /** Average latency, ms; meaningful once `sampled`. */
  private lag = 0;
  private sampled = false;
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

  constructor(node: Node, clock: Clock, isFailure: ((info: DoneInfo) => boolean) | undefined) {
    this.raw = node;
    this.scheme = node.scheme;
    this.address = node.address;
    this.serviceName = node.serviceName;
    this.initialWeight = node.initialWeight;
    this.version = node.version;
    this.metadata = node.metadata;
    this.clock = clock;
    this.isFailure = isFailure;
  }

  /** Points this node at a new version of its node (same address), keeping the statistics. */
  rebind(node: Node): void {
    this.raw = node;
    this.scheme = node.scheme;
    this.serviceName = node.serviceName;
    this.initialWeight = node.initialWeight;
    this.version = node.version;
    this.metadata = node.metadata;
  }

  weight(now: number = this.clock.now()): number {
    if (now - this.cachedAt > EWMA_WEIGHT_TTL_MS) {
      this.cachedAt = now;
      this.cachedWeight = (this.success * 1e9) / this.load(now);
    }
    return this.cachedWeight;
  }

  pick(now: number = this.clock.now()): DoneFunc {
    this.lastPick = now;
    this.inflight++;
    const ticket = this.calls.add(now);
    let called = false;
    return (info?: DoneInfo) => {
      if (called) return;
      called = true;
      this.complete(ticket, now, info);
    };
  }

  pickElapsed(now: number = this.clock.now()): number {
    return now - this.lastPick;
  }

  /** A snapshot of the statistics, for tests and dashboards. */
  stats(): { latencyMs: number | undefined; success: number; inflight: number; predictedMs: number } {
    return {
      latencyMs: this.sampled ? this.lag : undefined,
      success: this.success,
      inflight: this.inflight - 1,
      predictedMs: this.predicted,
    };
  }

  private load(now: number): number {
    if (now - this.predictedAt > clamp(this.lag / 5, 5, 200)) {
      this.predictedAt = now;
      const older = this.calls.older(now, this.lag);
      this.predicted = older.count > ((this.calls.size / 2) | 0) + 1 ? older.total / older.count : 0;
    }
    if (!this.sampled) return EWMA_PENALTY * this.inflight;
    const lag = Math.max(this.predicted, this.lag);
    return Math.trunc(Math.sqrt(lag * 1e6 + LATENCY_OFFSET_NS)) * this.inflight;
  }

  private complete(ticket: number, start: number, info: DoneInfo | undefined): void {
    this.calls.remove(ticket);
    this.inflight--;
    const now = this.clock.now();
    const elapsed = now - this.stamp;
    this.stamp = now;
    // The very first sample replaces the initial values outright.
    const w = this.sampled ? Math.exp(-Math.max(elapsed, 0) / EWMA_TAU_MS) : 0;
    const lag = now > start ? now - start : 0;
    this.lag = this.lag * w + lag * (1 - w);
    this.sampled = true;
    const failed =
      isNodeFailure(info) || (this.isFailure !== undefined && info !== undefined && this.isFailure(info));
    this.success = this.success * w + (failed ? 0 : SUCCESS) * (1 - w);
  }
}

function clamp(value: number, min: number, max: number): number {
  return value < min ? min : Math.min(value, max);
}

/**
 * The node builder of latency- and error-aware balancers (p2c). A node that stays across an
 * apply keeps its statistics.
 * @throws InvalidArgumentError on an unknown `cost` or a non-function `isFailure`.
 */
export function ewma(options: EwmaOptions = {}): WeightedNodeBuilder {
  const clock = options.clock ?? systemClock;
  const isFailure = options.isFailure;
  if (isFailure !== undefined && typeof isFailure !== "function") {
    throw new InvalidArgumentError(`ewma: isFailure must be a function, got ${typeof isFailure}`);
  }
  if (options.cost !== undefined && options.cost !== "kratos") {
    throw new InvalidArgumentError(`ewma: unknown cost ${JSON.stringify(options.cost)}; expected "kratos"`);
  }
  return {
    name: "ewma",
    build(node: Node, previous?: WeightedNode): WeightedNode {
      if (previous instanceof EwmaNode) {
        previous.rebind(node);
        return previous;
      }
      return new EwmaNode(node, clock, isFailure);
    },
  };
}
