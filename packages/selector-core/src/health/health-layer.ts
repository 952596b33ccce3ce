import type {
  Clock,
  DoneInfo,
  EjectionReason,
  Logger,
  NodeHealth,
  TimerHandle,
  WeightedNode,
} from "@switchyard/api";
import { isCancellation, isConnectionFailure } from "../failure.js";
import type { HealthSettings } from "./health-options.js";
import { judgeInterval, resetCounts } from "./interval-detectors.js";
import { EJECTED, HEALTHY, NodeHealthRecord, PROBATION, type RecordOwner } from "./node-health.js";
import { pushbackMs } from "./pushback.js";
import { HealthReport } from "./report.js";
import { SlowStart } from "./slow-start.js";

/** What the layer asks of its selector. */
export interface HealthHost {
  /** The nodes balancers see (or their weights) changed: rebuild the candidates. */
  healthChanged(): void;
  /** A probe call is due: the next select should offer one to an ejected node. */
  probeReady(): void;
}

/**
 * The passive health of one selector's nodes: a record per address, fed by the outcomes the nodes
 * report; the detectors (runs of failures, the interval's success rate and failure percentage,
 * pushback); ejections that grow and are capped, ended by a probe call; probation; slow start; the
 * ejection cap and panic. Every transition is decided here, in one place (so the log line and a
 * later diagnostics channel are one call each). The clock is read at transitions only; timers
 * exist only while a node is ejected or ramping up, or for one interval after a failure.
 */
export class HealthLayer implements RecordOwner {
  /** Every record, in the order of the last apply. */
  records: readonly NodeHealthRecord[] = [];
  /** Nodes ejected now. */
  ejected = 0;
  /** No node is healthy: every node is a candidate until enough are healthy again. */
  panic = false;
  readonly ramps: SlowStart;
  private readonly settings: HealthSettings;
  private readonly clock: Clock;
  private readonly host: HealthHost;
  private readonly report: HealthReport;
  private byAddress = new Map<string, NodeHealthRecord>();
  private maxEjected = 1;
  private intervalTimer: TimerHandle | undefined = undefined;
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
    this.report = new HealthReport(logger, name);
    this.ramps = new SlowStart(settings.slowStartMs, clock, () => host.healthChanged());
  }

  /** The record of `address` (kept across applies while the address stays). */
  recordFor(address: string): NodeHealthRecord {
    return this.byAddress.get(address) ?? new NodeHealthRecord(address, this);
  }

  /** The record of a current address, or `undefined`. */
  recordOf(address: string): NodeHealthRecord | undefined {
    return this.byAddress.get(address);
  }

  /**
   * Takes the node list of an apply (`records[i]` is the record of `nodes[i]`): records of
   * addresses that left are dropped with their timers; addresses that joined a list that had nodes
   * ramp up (slow start). The caller rebuilds its candidates after.
   */
  update(nodes: readonly WeightedNode[], records: readonly NodeHealthRecord[]): void {
    const before = this.byAddress;
    const next = new Map<string, NodeHealthRecord>();
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      record.bind(nodes[i]!);
      next.set(record.address, record);
      if (before.size > 0 && !before.has(record.address)) this.ramps.start(record);
    }
    for (const [address, record] of before) {
      if (next.has(address)) continue;
      record.live = false;
      this.cancelTimer(record);
      this.ramps.stop(record);
    }
    this.byAddress = next;
    this.records = records;
    let ejected = 0;
    for (const record of records) if (record.state === EJECTED) ejected++;
    this.ejected = ejected;
    this.maxEjected = Math.max(1, Math.floor(this.settings.maxEjectedShare * records.length));
    this.recount(false);
  }

  /** The health of every node, in apply order. */
  health(): readonly NodeHealth[] {
    return Object.freeze(this.records.map((record) => record.view()));
  }

  // ---- outcomes ----------------------------------------------------------------------------------

  succeeded(record: NodeHealthRecord): void {
    if (!record.live) return;
    if (record.state === EJECTED) {
      // A probe that went through ends an ejection, and so does any success while every node is a
      // candidate (panic: a fleet back from an outage is served at once). A call that was in
      // flight when the node was ejected does not: a node failing a share of its calls has
      // successes in flight too.
      if (record.probing) this.restore(record, "a probe call succeeded");
      else if (this.panic) this.restore(record, "a call succeeded while no node was healthy");
      return;
    }
    if (record.state === PROBATION && --record.probation <= 0) {
      record.state = HEALTHY;
      record.healthySince = this.clock.now();
    }
    if (record.failing) {
      record.failing = false;
      record.pendingReason = undefined;
      this.recount(false);
    }
  }

  failed(record: NodeHealthRecord, info: DoneInfo | undefined): void {
    if (!record.live || isCancellation(info)) return;
    const s = this.settings;
    if (this.intervalTimer === undefined && s.intervalMs > 0) this.startInterval();
    record.failures++;
    record.streak++;
    const connection = isConnectionFailure(info);
    record.connectionStreak = connection ? record.connectionStreak + 1 : 0;
    if (record.state === EJECTED) {
      if (record.probing) this.probeFailed(record, describe(info));
      return;
    }
    if (s.maxPushbackMs > 0) {
      const ms = pushbackMs(info);
      if (ms !== undefined) {
        this.eject(
          record,
          "pushback",
          Math.min(ms, s.maxPushbackMs),
          `it asked for ${Math.round(ms)} ms of quiet`,
        );
        return;
      }
    }
    if (record.state === PROBATION) {
      this.eject(
        record,
        record.reason ?? "consecutive-failures",
        undefined,
        `it failed on probation (${describe(info)})`,
      );
    } else if (
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
   * cap is reached: then it stays a candidate, marked failing, and goes out when room is made.
   */
  private eject(record: NodeHealthRecord, reason: EjectionReason, ms: number | undefined, why: string): void {
    if (record.state === EJECTED) return;
    if (this.ejected >= this.maxEjected) {
      if (!record.failing) {
        record.failing = true;
        record.pendingReason = reason;
        this.report.capped(record, why, this.ejected, this.records.length);
        this.recount(false);
      }
      return;
    }
    const now = this.clock.now();
    // Forgiven after a long enough good spell: the growth is for nodes that keep failing.
    if (record.state === HEALTHY && now - record.healthySince >= this.settings.maxEjectionMs)
      record.level = 0;
    const duration = ms ?? this.nextDuration(record);
    record.state = EJECTED;
    record.failing = true;
    record.pendingReason = undefined;
    record.reason = reason;
    record.ejections++;
    record.since = now;
    record.until = now + duration;
    record.probing = false;
    record.streak = 0;
    record.connectionStreak = 0;
    this.ejected++;
    this.ramps.stop(record);
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

  /** A probe failed: out again, for the next level's time. */
  private probeFailed(record: NodeHealthRecord, what: string): void {
    record.probing = false;
    const duration = this.nextDuration(record);
    record.until = this.clock.now() + duration;
    this.arm(record, duration);
    this.report.probeFailed(record, what, duration);
  }

  /** Puts an ejected node back: on probation (ramping up), or healthy after a pushback. */
  private restore(record: NodeHealthRecord, why: string): void {
    const now = this.clock.now();
    this.cancelTimer(record);
    this.ejected--;
    record.failing = false;
    record.probing = false;
    record.streak = 0;
    record.connectionStreak = 0;
    const pushback = record.reason === "pushback";
    const probation = pushback ? 0 : this.settings.probationCalls;
    record.probation = probation;
    record.state = probation > 0 ? PROBATION : HEALTHY;
    if (probation === 0) record.healthySince = now;
    this.ramps.start(record);
    this.report.returned(record, why, now - record.since, probation);
    // Room was made: a node a detector wanted out while the cap was reached goes now (not in a
    // panic: then every node is failing, and this success may be the fleet coming back).
    for (const other of this.records) {
      if (this.panic || this.ejected >= this.maxEjected) break;
      if (other.failing && other.state !== EJECTED && other.pendingReason !== undefined) {
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
    if (record.reason === "pushback") {
      this.restore(record, "the time it asked for is over");
    } else if (record.probing) {
      this.probeFailed(record, "no answer");
    } else if (!record.queued) {
      record.queued = true;
      this.probes.push(record);
      this.host.probeReady();
    }
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

  /** The probe of `record` was sent: no other until it completes (or its time runs out again). */
  probeSent(record: NodeHealthRecord): void {
    record.probing = true;
    this.arm(record, Math.max(record.until - record.since, this.settings.baseEjectionMs));
  }

  /** No call's filters admitted the node this time: try again a base ejection time later. */
  probeRefused(record: NodeHealthRecord): void {
    if (record.live && record.state === EJECTED) this.arm(record, this.settings.baseEjectionMs);
  }

  // ---- the interval detectors ---------------------------------------------------------------------

  /** A failure opened an interval: counts start now, and the detectors judge them at its end. */
  private startInterval(): void {
    resetCounts(this.records);
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
    for (const record of this.records) if (!record.failing) healthy++;
    const before = this.panic;
    if (!before && n > 0 && healthy === 0) {
      this.panic = true;
      this.report.panic(this.records);
    } else if (before && (n === 0 || healthy >= Math.max(1, n - this.maxEjected))) {
      this.panic = false;
      this.report.calm(healthy, n);
      // The fleet answers again: the nodes still ejected or marked failing may be back too. What
      // the detectors found while nothing answered is stale: the failing ones are judged afresh,
      // and each ejected one gets a probe now instead of at the end of an ejection time that grew
      // while nothing answered.
      for (const record of this.records) {
        if (record.state !== EJECTED) {
          record.failing = false;
          record.pendingReason = undefined;
          continue;
        }
        if (record.probing || record.queued || record.reason === "pushback") continue;
        this.cancelTimer(record);
        record.queued = true;
        this.probes.push(record);
        this.host.probeReady();
      }
    }
    if (ejections || this.panic !== before) this.host.healthChanged();
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
