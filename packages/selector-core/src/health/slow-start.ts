import type { Clock, TimerHandle } from "@switchyard/api";
import type { NodeHealthRecord } from "./node-health.js";

/** The share of its weight a node shows when its ramp begins (Envoy's default minimum, 10%). */
export const SLOW_START_MIN_FACTOR = 0.1;
/** A ramp moves in this many steps: each one hands the balancer a new list (a new wrr plan). */
export const SLOW_START_STEPS = 10;
/**
 * The most the ramps may hold back at once, in nodes' worth of weight per candidate (10%: one node
 * of ten at nothing), and at least what one node ramping alone holds back, so that it goes as low as
 * {@link SLOW_START_MIN_FACTOR}. When many ramp together (a fleet back from an outage, a rolling
 * restart) each holds back less, so that the others are not overloaded by what the ramping ones do
 * not take: in the simulator, ten nodes back at once at 10% each sent the rest 90% of the load.
 */
export const SLOW_START_MAX_HELD_BACK = 0.1;
/**
 * Nodes that join within this long of a selector's first list do not ramp, ms: they are the fleet
 * arriving, not a node joining it (a gRPC channel offers its subchannels as each becomes ready, one
 * by one, and ramping all but the first sent the first most of the calls for the whole window).
 */
export const SLOW_START_GRACE_MS = 1000;

/**
 * Slow start: a node that joins, or comes back from an ejection, shows a growing share of its
 * weight, linearly from {@link SLOW_START_MIN_FACTOR} to 1 over the window, in
 * {@link SLOW_START_STEPS} steps, within the budget {@link SLOW_START_MAX_HELD_BACK}. Steps, not a
 * smooth curve, so that weights stay fixed for as long as one candidate list is handed out and wrr
 * keeps its O(log n) plans (a plan per step). One timer for every ramping node of the layer, only
 * while some node ramps.
 */
export class SlowStart {
  private readonly windowMs: number;
  private readonly clock: Clock;
  private readonly onStep: () => void;
  /** The number of candidates the budget is a share of. */
  private readonly candidates: () => number;
  private readonly ramping = new Set<NodeHealthRecord>();
  private timer: TimerHandle | undefined = undefined;
  /** Ramps started or stopped since the factors were last set. */
  private dirty = false;

  constructor(windowMs: number, clock: Clock, candidates: () => number, onStep: () => void) {
    this.windowMs = windowMs;
    this.clock = clock;
    this.candidates = candidates;
    this.onStep = onStep;
  }

  /** Nodes ramping now. */
  get size(): number {
    return this.ramping.size;
  }

  /**
   * Starts (or restarts) the ramp of `record` at `now`; nothing when slow start is off. The factors
   * are set by the next {@link SlowStart.settle}, once for a batch of changes.
   */
  start(record: NodeHealthRecord, now: number): void {
    if (this.windowMs <= 0) return;
    record.rampStart = now;
    this.ramping.add(record);
    this.dirty = true;
    if (this.timer === undefined) {
      this.timer = this.clock.setTimeout(() => this.step(), this.windowMs / SLOW_START_STEPS);
    }
  }

  /** Ends the ramp of `record` (it left, or was ejected): it shows its whole weight again. */
  stop(record: NodeHealthRecord): void {
    if (!this.ramping.delete(record)) return;
    record.setWeightFactor(1);
    this.dirty = true;
    if (this.ramping.size === 0 && this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** Sets the factors after ramps started or stopped (the budget is shared). */
  settle(): void {
    if (this.dirty) this.refresh(this.clock.now());
  }

  private step(): void {
    this.timer = undefined;
    this.refresh(this.clock.now());
    if (this.ramping.size > 0) {
      this.timer = this.clock.setTimeout(() => this.step(), this.windowMs / SLOW_START_STEPS);
    }
    this.onStep();
  }

  /** Sets every ramping node's factor for `now`: its place on the ramp, within the budget. */
  private refresh(now: number): void {
    this.dirty = false;
    let heldBack = 0;
    for (const record of this.ramping) {
      const elapsed = now - record.rampStart;
      if (elapsed >= this.windowMs) {
        this.ramping.delete(record);
        record.setWeightFactor(1);
      } else {
        heldBack += (1 - SLOW_START_MIN_FACTOR) * (1 - elapsed / this.windowMs);
      }
    }
    // One node may always ramp from the bottom; more share a tenth of the candidates.
    const budget = Math.max(1 - SLOW_START_MIN_FACTOR, SLOW_START_MAX_HELD_BACK * this.candidates());
    const scale = heldBack > budget ? budget / heldBack : 1;
    for (const record of this.ramping) {
      const elapsed = now - record.rampStart;
      const ramp = SLOW_START_MIN_FACTOR + ((1 - SLOW_START_MIN_FACTOR) * elapsed) / this.windowMs;
      record.setWeightFactor(scale === 1 ? ramp : 1 - (1 - ramp) * scale);
    }
  }
}
