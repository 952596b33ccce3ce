import type {
  DoneInfo,
  EjectionReason,
  NodeHealth,
  OutcomeObserver,
  TimerHandle,
  WeightedNode,
} from "@switchyard/api";

/** A node in the candidates, judged by its calls. */
export const HEALTHY = 0;
/** Out of the candidates until a probe call succeeds (or a success while no node is healthy). */
export const EJECTED = 1;
/** Back, but a failure within its next few calls ejects it again at once, for longer. */
export const PROBATION = 2;

const STATE_NAMES = ["healthy", "ejected", "probation"] as const;

/** A node object that keeps a copy of its record's weight factor, read on every `weight()` (`EwmaNode`). */
interface Rescalable {
  rescale(factor: number): void;
}

/** A node object that counts its picks and completions itself (`DirectNode`). */
export interface CompletionCounter {
  readonly picks: number;
  readonly settled: number;
}

/** A node object that tells its calls in flight (`EwmaNode`), for the stall detector. */
interface InflightCounter {
  callsInFlight(): number;
}

/** What a record tells the layer; the layer decides every transition. */
export interface RecordOwner {
  /** A completed call failed (the layer counts it, or ignores a cancellation). */
  failed(record: NodeHealthRecord, info: DoneInfo | undefined): void;
  /** Calls a node back from an ejection must complete without a failure to pass its probation. */
  readonly probationCalls: number;
}

/**
 * The health of one address: the observer its weighted nodes report to, and the state the layer
 * keeps for it. Lives as long as the address stays in the selector's list.
 *
 * A success costs one counter: the built-in nodes count it on themselves (`attach`), other
 * builders' nodes here (`observe`), and a failure goes to the layer. Whatever a success changes is
 * read from the counters when it matters (a run of failures is broken when completions came between
 * two failures; probation is passed after enough completions without a failure; a node kept in
 * while failing stops failing at its first success), and the two transitions a success must make at
 * once (a probe that succeeds, a success while no node is healthy) go through a done the selector
 * wraps for those calls only.
 */
export class NodeHealthRecord implements OutcomeObserver {
  readonly address: string;
  /** Completions reported here (by other builders' nodes), whatever their outcome. */
  settled = 0;
  /**
   * Direct nodes count their completions themselves (a success never touches the record): the
   * node objects of this address that may still complete calls, and what those it let go counted.
   */
  counters: CompletionCounter[] | undefined = undefined;
  carried = 0;
  /** Failures among them; and the ones that count as nothing (cancelled, or never started). */
  failures = 0;
  ignored = 0;
  state = HEALTHY;
  weightFactor = 1;
  successRate: number | undefined = undefined;
  reason: EjectionReason | undefined = undefined;
  /** Why a detector wanted it out while the ejection cap kept it in; `undefined` when none did. */
  pendingReason: EjectionReason | undefined = undefined;
  ejections = 0;
  /** Ejections not yet forgiven: the next ejection lasts base × 2^level. */
  level = 0;
  // Times start as small integers, not NaN: a double in a field is a box of its own, and a record is
  // made for every address that joins.
  since = 0;
  until = 0;
  /** The time of the current ejection, ms: each probe of it comes that long after the last. */
  duration = 0;
  /** When it last came back from an ejection (0: never), for forgiving `level`. */
  returnedAt = 0;
  /** Counted completions (`counted()`) at its return, at its last failure and at its last connection failure. */
  returnMark = 0;
  failureMark = -1;
  connectionMark = -1;
  /** Failures in a row, and connection failures in a row, as of the last failure. */
  streak = 0;
  connectionStreak = 0;
  /** Counted completions and failures when the cap kept it in. */
  capMark = 0;
  capFailures = 0;
  /** Counted completions and failures when the current interval began. */
  intervalMark = 0;
  intervalFailures = 0;
  /** Completions at the stall detector's last look, the completions since, the calls in flight then. */
  stallMark = 0;
  stallDelta = 0;
  stallInflight = 0;
  /** A probe call is in flight; queued: waiting for a select to take it. */
  probing = false;
  queued = false;
  timer: TimerHandle | undefined = undefined;
  /** When its ramp began (slow start; read while it ramps). */
  rampStart = 0;
  /** The weighted node of the address now, and a frozen list of it alone (probe filters run on it). */
  node: WeightedNode | undefined = undefined;
  alone: readonly WeightedNode[] | undefined = undefined;
  /** False once the address left the list: late outcomes are then ignored. */
  live = true;
  /** Made by this apply, not yet in the layer's lookup; and the last apply that listed it. */
  fresh = true;
  epoch = 0;
  readonly owner: RecordOwner;

  constructor(address: string, owner: RecordOwner) {
    this.address = address;
    this.owner = owner;
  }

  /**
   * For node builders outside this package: one completed call. The built-in nodes count
   * successes themselves (`settled`) and call the layer on failures only.
   */
  observe(failed: boolean, info: DoneInfo | undefined): void {
    this.settled++;
    if (failed) this.owner.failed(this, info);
    else if (info !== undefined && info.bytesSent === false) this.ignored++;
  }

  /** Every completion reported, whatever its outcome (ignored ones too). */
  completions(): number {
    let settled = this.settled + this.carried;
    const counters = this.counters;
    if (counters !== undefined) for (const counter of counters) settled += counter.settled;
    return settled;
  }

  /** Completions that count (successes and failures). */
  counted(): number {
    return this.completions() - this.ignored;
  }

  /** Calls in flight on the node, when its node objects tell (0 otherwise). */
  inflight(): number {
    const counters = this.counters;
    if (counters === undefined)
      return (this.node as Partial<InflightCounter> | undefined)?.callsInFlight?.() ?? 0;
    let inflight = 0;
    for (const counter of counters) inflight += counter.picks - counter.settled;
    return inflight;
  }

  /**
   * A node object of this address counts its own completions from now on; those of the address's
   * older node objects that have nothing in flight any more are folded into `carried`.
   */
  attach(counter: CompletionCounter): void {
    const counters = this.counters;
    if (counters === undefined) {
      this.counters = [counter];
      return;
    }
    let kept = 0;
    for (let k = 0; k < counters.length; k++) {
      const old = counters[k]!;
      if (old === counter) continue;
      if (old.settled >= old.picks) this.carried += old.settled;
      else counters[kept++] = old;
    }
    counters[kept++] = counter;
    counters.length = kept;
  }

  /**
   * A two-phase call starts on `counter`, a node object of this address with nothing in flight:
   * when an apply since its pick folded it into `carried` (a newer object of the address was
   * attached), it counts again, so the call's completion is read. Cheap: `counters` holds one or
   * two objects.
   */
  revive(counter: CompletionCounter): void {
    const counters = this.counters;
    if (counters === undefined || counters.includes(counter)) return;
    this.carried -= counter.settled;
    counters.push(counter);
  }

  /** Ejected, or judged failing and kept in (too many out) with no success since. */
  get failing(): boolean {
    if (this.state === EJECTED) return true;
    if (this.pendingReason === undefined) return false;
    return this.counted() - this.capMark === this.failures - this.capFailures;
  }

  /** Its current run of failures: 0 once a completion came after the last failure. */
  currentStreak(): number {
    return this.failureMark === this.counted() ? this.streak : 0;
  }

  /** Passes probation once enough calls completed since the return without a failure. */
  settleProbation(): void {
    if (
      this.state === PROBATION &&
      this.failureMark <= this.returnMark &&
      this.counted() - this.returnMark >= this.owner.probationCalls
    ) {
      this.state = HEALTHY;
    }
  }

  /** Points the record at the weighted node of its address after an apply. */
  bind(node: WeightedNode): void {
    if (this.node !== node) {
      this.node = node;
      this.alone = undefined;
      (node as Partial<Rescalable>).rescale?.(this.weightFactor);
    }
  }

  /** Sets the share of its weight the node shows (slow start), and tells a node that keeps a copy. */
  setWeightFactor(factor: number): void {
    this.weightFactor = factor;
    (this.node as Partial<Rescalable> | undefined)?.rescale?.(factor);
  }

  /** The frozen list of this node alone, made at the first probe. */
  probeList(): readonly WeightedNode[] {
    if (this.alone === undefined) this.alone = Object.freeze([this.node!]);
    return this.alone;
  }

  view(): NodeHealth {
    this.settleProbation();
    const ejected = this.state === EJECTED;
    return Object.freeze({
      address: this.address,
      state: STATE_NAMES[this.state]!,
      ejectedSince: ejected ? this.since : undefined,
      ejectedUntil: ejected ? this.until : undefined,
      reason: this.reason,
      ejections: this.ejections,
      successRate: this.successRate,
      consecutiveFailures: this.currentStreak(),
      failing: !ejected && this.failing,
    });
  }
}
