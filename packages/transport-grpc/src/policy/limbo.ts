import type { Clock, TimerHandle } from "@switchyard/api";

/** How often picks that never became calls are looked for, ms; one is expired 1–2 periods after its pick. */
export const SWEEP_PERIOD_MS = 5000;

/** A pick waiting for grpc-js to start its call, linked into a {@link Limbo}. */
export interface LimboEntry {
  limboPrev: LimboEntry | undefined;
  limboNext: LimboEntry | undefined;
  limboGeneration: number;
  /**
   * Called when the pick is given up on: it did not become a call within 1–2 sweep periods. Must not
   * throw (a throw would stop the sweep); an entry isolates and reports what it calls.
   */
  expire(): void;
}

/**
 * The picks of one policy that were counted at the pick and that grpc-js has not started yet: picks
 * of a selector without two-phase selects (`Selector.selectDeferred`), of a node builder without
 * them, and probes of ejected nodes. A two-phase pick counts nothing until its call starts and never
 * waits here. Most leave within a microtask (the call starts, `onCallStarted` unlinks them); a pick
 * whose call never starts (its subchannel dropped before the call was created, or the call was
 * cancelled while its credentials were generated) would otherwise hold a call in flight on its node
 * forever. An intrusive list keeps this allocation-free per pick; an unref'd timer runs only while
 * the list is not empty.
 */
export class Limbo {
  private head: LimboEntry | undefined = undefined;
  private tail: LimboEntry | undefined = undefined;
  private generation = 0;
  private timer: TimerHandle | undefined = undefined;
  private closed = false;
  private readonly clock: Clock;
  private readonly sweepNow = (): void => this.sweep();

  constructor(clock: Clock) {
    this.clock = clock;
  }

  add(entry: LimboEntry): void {
    entry.limboGeneration = this.generation;
    entry.limboPrev = this.tail;
    entry.limboNext = undefined;
    if (this.tail === undefined) this.head = entry;
    else this.tail.limboNext = entry;
    this.tail = entry;
    if (this.timer === undefined && !this.closed) {
      this.timer = this.clock.setTimeout(this.sweepNow, SWEEP_PERIOD_MS);
    }
  }

  /** Unlinks `entry`; an entry that is not linked is ignored. */
  remove(entry: LimboEntry): void {
    if (entry.limboGeneration < 0) return;
    entry.limboGeneration = -1;
    const { limboPrev: prev, limboNext: next } = entry;
    if (prev === undefined) this.head = next;
    else prev.limboNext = next;
    if (next === undefined) this.tail = prev;
    else next.limboPrev = prev;
    entry.limboPrev = entry.limboNext = undefined;
  }

  /** Whether nothing waits. */
  isEmpty(): boolean {
    return this.head === undefined;
  }

  /** Stops sweeping; entries still linked stay so (their calls may yet start and end). */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private sweep(): void {
    this.timer = undefined;
    const cutoff = this.generation;
    this.generation++;
    // Entries are in pick order, so generations only grow along the list.
    while (this.head !== undefined && this.head.limboGeneration < cutoff) {
      const entry = this.head;
      this.remove(entry);
      entry.expire();
    }
    if (this.head !== undefined && !this.closed) {
      this.timer = this.clock.setTimeout(this.sweepNow, SWEEP_PERIOD_MS);
    }
  }
}
