// The start times of the calls in flight on one node, oldest first, for ewma's latency
// prediction. A ring of doubles addressed by an ever-growing sequence number: a pick appends,
// a completion leaves a tombstone (NaN) that the head skips once it reaches it. No allocation per
// call; the ring doubles up to MAX_TRACKED entries, and past that the oldest call is dropped
// from the statistics (it still counts in flight).

const INITIAL_CAPACITY = 8;
/** The most in-flight calls one node tracks for prediction. */
export const MAX_TRACKED = 4096;

export class InflightTracker {
  private ring = new Float64Array(INITIAL_CAPACITY);
  private head = 0;
  private tail = 0;
  /** Live (not completed, not dropped) entries. */
  size = 0;

  /** Records a call started at `start`; returns the ticket to pass to {@link remove}. */
  add(start: number): number {
    if (this.tail - this.head === this.ring.length) this.makeRoom();
    this.ring[this.tail & (this.ring.length - 1)] = start;
    this.size++;
    return this.tail++;
  }

  /** Forgets the call of `ticket`; a ticket already dropped is ignored. */
  remove(ticket: number): void {
    if (ticket < this.head) return;
    const ring = this.ring;
    const mask = ring.length - 1;
    ring[ticket & mask] = Number.NaN;
    this.size--;
    this.skipTombstones();
  }

  /**
   * Counts the calls in flight for longer than `threshold` ms at `now` and sums their ages.
   * Stops at the first younger call (starts are ordered). The result object is reused.
   */
  older(now: number, threshold: number): { count: number; total: number } {
    const ring = this.ring;
    const mask = ring.length - 1;
    let count = 0;
    let total = 0;
    for (let ticket = this.head; ticket < this.tail; ticket++) {
      const start = ring[ticket & mask]!;
      if (Number.isNaN(start)) continue; // tombstone
      const age = now - start;
      if (age <= threshold) break;
      count++;
      total += age;
    }
    scratch.count = count;
    scratch.total = total;
    return scratch;
  }

  private skipTombstones(): void {
    const ring = this.ring;
    const mask = ring.length - 1;
    while (this.head < this.tail && Number.isNaN(ring[this.head & mask])) this.head++;
  }

  private makeRoom(): void {
    const old = this.ring;
    if (old.length >= MAX_TRACKED) {
      // Drop the oldest live call from the statistics.
      this.head++;
      this.size--;
      this.skipTombstones();
      return;
    }
    const next = new Float64Array(old.length * 2);
    const oldMask = old.length - 1;
    const newMask = next.length - 1;
    for (let ticket = this.head; ticket < this.tail; ticket++)
      next[ticket & newMask] = old[ticket & oldMask]!;
    this.ring = next;
  }
}

// One shared result object: `older` runs on the single JS thread and callers read it at once.
const scratch = { count: 0, total: 0 };
