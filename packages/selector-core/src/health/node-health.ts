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
/** Out of the candidates until its ejection ends or a probe call succeeds. */
export const EJECTED = 1;
/** Back, but its next failure before the probation ends ejects it again at once, for longer. */
export const PROBATION = 2;

const STATE_NAMES = ["healthy", "ejected", "probation"] as const;

/** What a record tells the layer; the layer decides every transition. */
export interface RecordOwner {
  succeeded(record: NodeHealthRecord): void;
  failed(record: NodeHealthRecord, info: DoneInfo | undefined): void;
}

/**
 * The health of one address: the observer its weighted nodes report to, and the state the layer
 * keeps for it. Lives as long as the address stays in the selector's list. A success costs a
 * counter, a comparison and two field reads; everything else (failures, transitions) goes to the
 * layer, which reads the clock only there.
 */
export class NodeHealthRecord implements OutcomeObserver {
  readonly address: string;
  /** Ejected, or judged failing but kept (too many nodes out): balancers skip it when they can. */
  failing = false;
  state = HEALTHY;
  /** Completions counted in the current interval. */
  successes = 0;
  failures = 0;
  /** Failures in a row, and connection-level failures in a row. */
  streak = 0;
  connectionStreak = 0;
  successRate: number | undefined = undefined;
  reason: EjectionReason | undefined = undefined;
  /** Why a detector wanted it out while the ejection cap kept it in. */
  pendingReason: EjectionReason | undefined = undefined;
  ejections = 0;
  /** Ejections (and failed probes) not yet forgiven: the next ejection lasts base × 2^level. */
  level = 0;
  since = Number.NaN;
  until = Number.NaN;
  /** When it last came back to good health (the end of a probation), for forgiving `level`. */
  healthySince = Number.NEGATIVE_INFINITY;
  /** Calls left to complete on probation. */
  probation = 0;
  /** A probe call is in flight; queued: waiting for a select to take it. */
  probing = false;
  queued = false;
  /** The share of its weight the node shows now (below 1 while it ramps up: slow start). */
  weightFactor = 1;
  /** When its ramp began (slow start), or NaN. */
  rampStart = Number.NaN;
  timer: TimerHandle | undefined = undefined;
  /** The weighted node of the address now, and a frozen list of it alone (probe filters run on it). */
  node: WeightedNode | undefined = undefined;
  alone: readonly WeightedNode[] | undefined = undefined;
  /** False once the address left the list: late outcomes are then ignored. */
  live = true;
  private readonly owner: RecordOwner;

  constructor(address: string, owner: RecordOwner) {
    this.address = address;
    this.owner = owner;
  }

  observe(failed: boolean, info: DoneInfo | undefined): void {
    if (!failed) {
      this.successes++;
      if (this.streak !== 0) {
        this.streak = 0;
        this.connectionStreak = 0;
      }
      if (this.state !== HEALTHY || this.failing) this.owner.succeeded(this);
      return;
    }
    this.owner.failed(this, info);
  }

  /** Points the record at the weighted node of its address after an apply. */
  bind(node: WeightedNode): void {
    if (this.node !== node) {
      this.node = node;
      this.alone = undefined;
    }
  }

  /** The frozen list of this node alone, made at the first probe. */
  probeList(): readonly WeightedNode[] {
    if (this.alone === undefined) this.alone = Object.freeze([this.node!]);
    return this.alone;
  }

  view(): NodeHealth {
    const ejected = this.state === EJECTED;
    return Object.freeze({
      address: this.address,
      state: STATE_NAMES[this.state]!,
      ejectedSince: ejected ? this.since : undefined,
      ejectedUntil: ejected ? this.until : undefined,
      reason: this.reason,
      ejections: this.ejections,
      successRate: this.successRate,
      consecutiveFailures: this.streak,
      failing: this.failing && !ejected,
    });
  }
}
