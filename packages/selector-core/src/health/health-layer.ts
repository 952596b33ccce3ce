import type {
  Clock,
  DoneInfo,
  EjectionReason,
  Logger,
  NodeHealth,
  Selector,
  TimerHandle,
  WeightedNode,
} from "@switchyard/api";
import { isCancellation, isConnectionFailure } from "../failure.js";
import type { HealthSettings } from "./health-options.js";
import { judgeInterval, markInterval } from "./interval-detectors.js";
import { EJECTED, HEALTHY, NodeHealthRecord, PROBATION, type RecordOwner } from "./node-health.js";
import { pushbackMs } from "./pushback.js";
import { HealthReport } from "./report.js";
import { SLOW_START_GRACE_MS, SlowStart } from "./slow-start.js";

/** What the layer asks of its selector. */
export interface HealthHost {
  /** The selector the layer's diagnostics events (`switchyard:health`) name. */
  readonly selector?: Selector;
  /**
   * The nodes balancers see (or their weights) changed: rebuild the candidates. Also called when a
   * panic starts or ends: while it lasts the selector watches the outcome of every call, since any
   * success then ends an ejection.
   */
  healthChanged(): void;
  /**
   * The next select should call `attend` (and offer a probe when one is due): a probe became due,
   * or the stall detector looked and wants the next select to keep it looking.
   */
  attention(): void;
}

/** The stall detector judges only a node holding at least this many calls in flight. */
export const STALL_MIN_INFLIGHT = 4;
/**
 * …and only when, at the fleet's rate of completions per call in flight, its calls should have
 * completed at least this many times over since the last look: a healthy node misses that about
 * once in e^20 looks, a hanging one at once; calls that are long by nature (long polls, streams)
 * complete slowly everywhere, so the fleet's rate keeps them in.
 */
export const STALL_MIN_EXPECTED = 20;

/**
 * The passive health of one selector's nodes: a record per address, fed by the outcomes the nodes
 * report; the detectors (runs of failures, the interval's success rate and failure percentage,
 * pushback); ejections that grow and are capped, ended by a probe call; probation; slow start; the
 * ejection cap and panic. Every transition is decided here, in one place (so the log line and a
 * later diagnostics channel are one call each). The clock is read at transitions only; timers
 * exist only while a node is ejected or ramping up, for one interval after a failure, and for the
 * stall detector while selects come (`attend`): an idle or dropped selector keeps none for long.
 */
export class HealthLayer implements RecordOwner {
  /** Every record, in the order of the last apply. */
  records: readonly NodeHealthRecord[] = [];
  /** Nodes ejected now. */
  ejected = 0;
  /** No node is healthy: every node is a candidate until enough are healthy again. */
  panic = false;
  /** Some candidate may be failing: a panic, or a node kept in while failing (the cap). */
  suspects = false;
  readonly ramps: SlowStart;
  readonly probationCalls: number;
  private readonly settings: HealthSettings;
  private readonly clock: Clock;
  private readonly host: HealthHost;
  private readonly report: HealthReport;
  private readonly byAddress = new Map<string, NodeHealthRecord>();
  /** Counts applies: a record not marked with the last one left the list. */
  private epoch = 0;
  /** When the first non-empty list came (slow start spares the nodes that join soon after it). */
  private firstListAt: number | undefined = undefined;
  private maxEjected = 1;
  private intervalTimer: TimerHandle | undefined = undefined;
  private stallTimer: TimerHandle | undefined = undefined;
  private readonly probes: NodeHealthRecord[] = [];

  constructor(
    settings: HealthSettings,
    clock: Clock,
    logger: Logger | undefined,
    name: string,
    host: HealthHost,
  ) {
    this.settings = settings;
    this.clock = clock;
    this.host = host;
    this.report = new HealthReport(logger, name, host.selector);
    this.ramps = new SlowStart(
      settings.slowStartMs,
      clock,
      () => this.records.length - this.ejected,
      () => host.healthChanged(),
    );
    this.probationCalls = settings.probationCalls;
  }

  /**
   * The record of `address` (kept across applies while the address stays): `known`, the record its
   * node had before the apply (the observer of a node that stays), saves the lookup.
   */
  recordFor(address: string, known?: unknown): NodeHealthRecord {
    if (known instanceof NodeHealthRecord && known.live && known.owner === this) return known;
    return this.byAddress.get(address) ?? new NodeHealthRecord(address, this);
  }

  /** The record of a current address, or `undefined`. */
  recordOf(address: string): NodeHealthRecord | undefined {
    return this.byAddress.get(address);
  }

  /**
   * Takes the node list of an apply (`records[i]` is the record of `nodes[i]`, from `recordFor`):
   * records of addresses that left are dropped with their timers; addresses that joined a list that
   * had nodes ramp up (slow start). The lookup by address changes only by what joined or left. The
   * caller rebuilds its candidates after.
   */
  update(nodes: readonly WeightedNode[], records: readonly NodeHealthRecord[]): void {
    const epoch = ++this.epoch;
    const byAddress = this.byAddress;
    const joined: NodeHealthRecord[] = [];
    let ejected = 0;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      record.bind(nodes[i]!);
      record.epoch = epoch;
      if (record.state === EJECTED) ejected++;
      if (record.fresh) {
        record.fresh = false;
        byAddress.set(record.address, record);
        joined.push(record);
      }
    }
    // Nodes that join a list ramp up: not those of the first list or of the second after it (the
    // fleet arriving), nor of a list mostly new (a fleet replaced at once has no old nodes to carry
    // what the new ones would not take).
    if (joined.length > 0) {
      const now = this.clock.now();
      const first = this.firstListAt;
      if (first === undefined) this.firstListAt = now;
      else if (joined.length * 2 <= records.length && now - first >= SLOW_START_GRACE_MS) {
        for (const record of joined) this.ramps.start(record, now);
      }
    }
    for (const record of this.records) {
      if (record.epoch === epoch) continue;
      record.live = false;
      byAddress.delete(record.address);
      this.cancelTimer(record);
      this.ramps.stop(record);
    }
    this.records = records;
    this.ejected = ejected;
    this.maxEjected = Math.max(1, Math.floor(this.settings.maxEjectedShare * records.length));
    this.ramps.settle();
    this.recount(false);
  }

  /** The health of every node, in apply order. */
  health(): readonly NodeHealth[] {
    return Object.freeze(this.records.map((record) => record.view()));
  }

  // ---- outcomes ----------------------------------------------------------------------------------

  /**
   * A call watched by the selector (a probe, or any call while no node is healthy) succeeded: a
   * probe that went through ends an ejection, and so does any success in a panic (a fleet back from
   * an outage is served at once). Other successes need nothing at once: the counters carry them.
   */
  succeeded(record: NodeHealthRecord, probe: boolean): void {
    if (!record.live) return;
    if (record.state === EJECTED) {
      if (probe && record.probing) this.restore(record, "a probe call succeeded");
      else if (this.panic) this.restore(record, "a call succeeded while no node was healthy");
    } else if (record.pendingReason !== undefined && !record.failing) {
      record.pendingReason = undefined;
      this.recount(false);
    }
  }

  failed(record: NodeHealthRecord, info: DoneInfo | undefined): void {
    if (!record.live) return;
    if (isCancellation(info)) {
      record.ignored++;
      return;
    }
    const s = this.settings;
    if (this.intervalTimer === undefined && s.intervalMs > 0) this.startInterval(record);
    record.failures++;
    const n = record.counted();
    record.streak = record.failureMark === n - 1 ? record.streak + 1 : 1;
    record.failureMark = n;
    const connection = isConnectionFailure(info);
    if (connection) {
      record.connectionStreak = record.connectionMark === n - 1 ? record.connectionStreak + 1 : 1;
      record.connectionMark = n;
    }
    if (record.state === EJECTED) {
      if (record.probing) this.probeFailed(record, describe(info));
      return;
    }
    if (s.maxPushbackMs > 0) {
      const ms = pushbackMs(info);
      if (ms !== undefined) {
        const why = `it asked for ${Math.round(ms)} ms of quiet (${describe(info)})`;
        this.eject(record, "pushback", Math.min(ms, s.maxPushbackMs), why);
        return;
      }
    }
    if (record.state === PROBATION) {
      if (n - record.returnMark <= s.probationCalls) {
        const why = `it failed on probation (${describe(info)})`;
        this.eject(record, record.reason ?? "consecutive-failures", undefined, why);
        return;
      }
      record.state = HEALTHY;
    }
    if (
      connection &&
      s.consecutiveConnectionFailures > 0 &&
      record.connectionStreak >= s.consecutiveConnectionFailures
    ) {
      const why = `${record.connectionStreak} connection failures in a row (${describe(info)})`;
      this.eject(record, "connection-failures", undefined, why);
    } else if (s.consecutiveFailures > 0 && record.streak >= s.consecutiveFailures) {
      this.eject(
        record,
        "consecutive-failures",
        undefined,
        `${record.streak} failures in a row (${describe(info)})`,
      );
    }
  }

  // ---- ejection and return ------------------------------------------------------------------------

  /**
   * Takes `record` out of the candidates for `ms` (pushback) or for its level's time, unless the
   * cap is reached: then it stays a candidate, marked failing until its next success, and goes out
   * when room is made.
   */
  private eject(record: NodeHealthRecord, reason: EjectionReason, ms: number | undefined, why: string): void {
    if (record.state === EJECTED) return;
    if (this.ejected >= this.maxEjected) {
      if (!record.failing) {
        record.pendingReason = reason;
        record.capMark = record.counted();
        record.capFailures = record.failures;
        this.report.capped(record, why, this.ejected, this.records.length);
        this.recount(false);
      }
      return;
    }
    const now = this.clock.now();
    // Forgiven after a long enough spell back in: the growth is for nodes that keep failing.
    record.settleProbation();
    if (record.state === HEALTHY && now - record.returnedAt >= this.settings.maxEjectionMs) record.level = 0;
    const duration = ms ?? this.nextDuration(record);
    record.state = EJECTED;
    record.pendingReason = undefined;
    record.reason = reason;
    record.ejections++;
    record.since = now;
    record.until = now + duration;
    record.duration = duration;
    record.probing = false;
    this.ejected++;
    this.ramps.stop(record);
    this.ramps.settle();
    this.arm(record, duration);
    this.report.ejected(record, why, duration, this.ejected, this.records.length);
    this.recount();
  }

  /** The time of the next ejection of `record`: base × 2^level, capped; the level goes up. */
  private nextDuration(record: NodeHealthRecord): number {
    const s = this.settings;
    const ms = Math.min(s.baseEjectionMs * 2 ** Math.min(record.level, 30), s.maxEjectionMs);
    record.level++;
    return ms;
  }

  /**
   * A probe failed: out again for the same time, then another probe. The time grows with repeated
   * ejections (a node that keeps coming back and failing), not with the probes of one: a node down
   * for a while is tried once per ejection time, so it is back within about that time of its
   * recovery (with a growing time it waited up to 8 s after a 10 s outage).
   */
  private probeFailed(record: NodeHealthRecord, what: string): void {
    record.probing = false;
    const duration = record.duration;
    record.until = this.clock.now() + duration;
    this.arm(record, duration);
    this.report.probeFailed(record, what, duration);
  }

  /** Puts an ejected node back: on probation (ramping up), or healthy after a pushback. */
  private restore(record: NodeHealthRecord, why: string): void {
    const now = this.clock.now();
    this.cancelTimer(record);
    this.ejected--;
    record.probing = false;
    const probation = record.reason === "pushback" ? 0 : this.settings.probationCalls;
    record.state = probation > 0 ? PROBATION : HEALTHY;
    record.returnedAt = now;
    record.returnMark = record.counted();
    // Runs of failures start afresh.
    record.failureMark = -1;
    record.connectionMark = -1;
    this.ramps.start(record, now);
    this.ramps.settle();
    this.report.returned(record, why, now - record.since, probation);
    // Room was made: a node a detector wanted out while the cap was reached goes now (not in a
    // panic: then every node is failing, and this success may be the fleet coming back).
    for (const other of this.records) {
      if (this.panic || this.ejected >= this.maxEjected) break;
      if (other.state !== EJECTED && other.pendingReason !== undefined && other.failing) {
        this.eject(other, other.pendingReason, undefined, "it was failing while too many nodes were out");
      }
    }
    this.recount();
  }

  /**
   * The record's timer: its ejection time ended. A pushback ends there; any other ejection ends
   * with a probe call (queued for the next select), or, when a probe is still out, counts as a
   * failed probe (its done was never called).
   */
  private fire(record: NodeHealthRecord): void {
    record.timer = undefined;
    if (!record.live || record.state !== EJECTED) return;
    if (record.reason === "pushback") this.restore(record, "the time it asked for is over");
    else if (record.probing) this.probeFailed(record, "no answer in time");
    else this.queueProbe(record);
  }

  private queueProbe(record: NodeHealthRecord): void {
    if (record.queued) return;
    record.queued = true;
    this.probes.push(record);
    this.host.attention();
  }

  private arm(record: NodeHealthRecord, ms: number): void {
    this.cancelTimer(record);
    record.timer = this.clock.setTimeout(() => this.fire(record), ms);
  }

  private cancelTimer(record: NodeHealthRecord): void {
    if (record.timer !== undefined) {
      this.clock.clearTimeout(record.timer);
      record.timer = undefined;
    }
  }

  // ---- probes (the selector's side) ---------------------------------------------------------------

  /** The next ejected node due for a probe, or `undefined` when none is. */
  takeProbe(): NodeHealthRecord | undefined {
    while (this.probes.length > 0) {
      const record = this.probes.shift()!;
      record.queued = false;
      if (record.live && record.state === EJECTED && !record.probing && record.node !== undefined)
        return record;
    }
    return undefined;
  }

  /**
   * The probe of `record` was sent: no other until it completes, and if its done never comes, it
   * counts as failed after the ejection's time.
   */
  probeSent(record: NodeHealthRecord): void {
    record.probing = true;
    this.arm(record, Math.max(record.duration, this.settings.baseEjectionMs));
  }

  /** No call's filters admitted the node this time: try again a base ejection time later. */
  probeRefused(record: NodeHealthRecord): void {
    if (record.live && record.state === EJECTED) this.arm(record, this.settings.baseEjectionMs);
  }

  // ---- the stall detector ---------------------------------------------------------------------------

  /**
   * Called by the selector when it attends (the first select after the last look): keeps the stall
   * detector looking while selects come, one timer at a time; an idle or dropped selector stops it.
   */
  attend(): void {
    if (this.stallTimer === undefined && this.settings.stallMs > 0) {
      this.stallTimer = this.clock.setTimeout(() => this.look(), this.settings.stallMs);
    }
  }

  /**
   * Looks for nodes whose calls stopped coming back: calls in flight, none completed since the last
   * look, while the fleet completed many times what the node holds (see {@link STALL_MIN_EXPECTED}).
   * One pass to measure, one to judge.
   */
  private look(): void {
    this.stallTimer = undefined;
    let completed = 0;
    let inflight = 0;
    for (const record of this.records) {
      const total = record.completions();
      record.stallDelta = total - record.stallMark;
      record.stallMark = total;
      record.stallInflight = record.state === EJECTED ? 0 : record.inflight();
      completed += record.stallDelta;
      inflight += record.stallInflight;
    }
    const rate = inflight > 0 ? completed / inflight : 0;
    for (const record of this.records) {
      const held = record.stallInflight;
      if (record.stallDelta !== 0 || held < STALL_MIN_INFLIGHT || rate * held < STALL_MIN_EXPECTED) continue;
      const ms = this.settings.stallMs;
      const why = `none of its ${held} calls in flight came back in ${ms} ms while the others completed ${completed}`;
      this.eject(record, "stalled", undefined, why);
    }
    this.host.attention();
  }

  // ---- the interval detectors ---------------------------------------------------------------------

  /**
   * A failure of `record` opened an interval: counts start now (that failure's completion is
   * counted already, so its record's mark is one back), and the detectors judge them at its end.
   */
  private startInterval(record: NodeHealthRecord): void {
    markInterval(this.records);
    record.intervalMark--;
    this.intervalTimer = this.clock.setTimeout(() => this.endInterval(), this.settings.intervalMs);
  }

  private endInterval(): void {
    this.intervalTimer = undefined;
    for (const { record, reason, rate } of judgeInterval(this.records, this.settings)) {
      const what = reason === "failure-percentage" ? "failed" : "succeeded on";
      const share = reason === "failure-percentage" ? 1 - rate : rate;
      this.eject(
        record,
        reason,
        undefined,
        `it ${what} ${percent(share)} of its calls over the last interval`,
      );
    }
  }

  // ---- candidates ----------------------------------------------------------------------------------

  /**
   * Recomputes panic, and tells the host when the nodes balancers see changed (`ejections`: the
   * ejected set changed; otherwise only a panic that starts or ends changes them).
   */
  private recount(ejections = true): void {
    const n = this.records.length;
    let healthy = 0;
    let pending = false;
    for (const record of this.records) {
      if (record.failing) {
        if (record.pendingReason !== undefined) pending = true;
      } else {
        healthy++;
        // A node kept in while failing that has had a success since is judged afresh.
        record.pendingReason = undefined;
      }
    }
    const before = this.panic;
    const suspected = this.suspects;
    if (!before && n > 0 && healthy === 0) {
      this.panic = true;
      this.report.panic(this.records);
    } else if (before && (n === 0 || healthy >= Math.max(1, n - this.maxEjected))) {
      this.panic = false;
      this.report.calm(healthy, n);
      this.afterPanic();
    }
    this.suspects = this.panic || pending;
    if (ejections || this.panic !== before || this.suspects !== suspected) this.host.healthChanged();
  }

  /**
   * The fleet answers again: what the detectors found while nothing answered is stale. The nodes
   * kept in while failing are judged afresh, and each ejected one gets a probe now instead of at the
   * end of an ejection time that grew while nothing answered.
   */
  private afterPanic(): void {
    for (const record of this.records) {
      if (record.state !== EJECTED) {
        record.pendingReason = undefined;
      } else if (!record.probing && record.reason !== "pushback") {
        this.cancelTimer(record);
        this.queueProbe(record);
      }
    }
  }
}

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}

/** A short account of a failed call for the log line. */
function describe(info: DoneInfo | undefined): string {
  if (info === undefined) return "no details";
  const error = info.error as { code?: unknown; name?: unknown } | undefined;
  if (error !== undefined && error !== null) {
    if (typeof error.code === "string") return error.code;
    if (typeof error.name === "string" && error.name !== "Error") return error.name;
  }
  if (info.httpStatus !== undefined) return `HTTP ${info.httpStatus}`;
  if (info.grpcStatus !== undefined) return `gRPC status ${info.grpcStatus}`;
  return "an error";
}
