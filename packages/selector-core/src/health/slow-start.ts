import type { Clock, TimerHandle } from "@switchyard/api";
import type { NodeHealthRecord } from "./node-health.js";

/** The share of its weight a node shows when its ramp begins (Envoy's default minimum, 10%). */
export const SLOW_START_MIN_FACTOR = 0.1;
/** A ramp moves in this many steps: each one hands the balancer a new list (a new wrr plan). */
export const SLOW_START_STEPS = 10;

/**
 * Slow start: a node that joins, or comes back from an ejection, shows a growing share of its
 * weight, linearly from {@link SLOW_START_MIN_FACTOR} to 1 over the window, in
 * {@link SLOW_START_STEPS} steps. Steps, not a smooth curve, so that weights stay fixed for as long
 * as one candidate list is handed out and wrr keeps its O(log n) plans (a plan per step). One timer
 * for every ramping node of the layer, only while some node ramps.
 */
export class SlowStart {
  private readonly windowMs: number;
  private readonly clock: Clock;
  private readonly onStep: () => void;
  private readonly ramping = new Set<NodeHealthRecord>();
  private timer: TimerHandle | undefined = undefined;

  constructor(windowMs: number, clock: Clock, onStep: () => void) {
    this.windowMs = windowMs;
    this.clock = clock;
    this.onStep = onStep;
  }

  /** Nodes ramping now. */
  get size(): number {
    return this.ramping.size;
  }

  /** Starts (or restarts) the ramp of `record`; nothing when slow start is off. */
  start(record: NodeHealthRecord): void {
    if (this.windowMs <= 0) return;
    record.setWeightFactor(SLOW_START_MIN_FACTOR);
    record.rampStart = this.clock.now();
    this.ramping.add(record);
    if (this.timer === undefined) {
      this.timer = this.clock.setTimeout(() => this.step(), this.windowMs / SLOW_START_STEPS);
    }
  }

  /** Ends the ramp of `record` (it left, or was ejected): it shows its whole weight again. */
  stop(record: NodeHealthRecord): void {
    if (!this.ramping.delete(record)) return;
    record.setWeightFactor(1);
    record.rampStart = Number.NaN;
    if (this.ramping.size === 0 && this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private step(): void {
    this.timer = undefined;
    const now = this.clock.now();
    for (const record of this.ramping) {
      const elapsed = now - record.rampStart;
      if (elapsed >= this.windowMs) {
        record.setWeightFactor(1);
        record.rampStart = Number.NaN;
        this.ramping.delete(record);
      } else {
        record.setWeightFactor(
          SLOW_START_MIN_FACTOR + ((1 - SLOW_START_MIN_FACTOR) * elapsed) / this.windowMs,
        );
      }
    }
    if (this.ramping.size > 0) {
      this.timer = this.clock.setTimeout(() => this.step(), this.windowMs / SLOW_START_STEPS);
    }
    this.onStep();
  }
}
