import type { EjectionReason } from "@switchyard/api";
import type { HealthSettings } from "./health-options.js";
import { EJECTED, type NodeHealthRecord } from "./node-health.js";

/** A node an interval's detectors want out, and why. */
export interface Verdict {
  readonly record: NodeHealthRecord;
  readonly reason: EjectionReason;
  /** Its success rate over the interval: the worst go first when the ejection cap binds. */
  readonly rate: number;
}

/**
 * Judges one interval's counts (Envoy's and gRPC A50's outlier detection, with one addition):
 * - failure percentage: a node with at least `minRequests` calls that failed at least
 *   `maxFailureRate` of them;
 * - success rate: when at least `successRateMinHosts` nodes had `minRequests` calls, a node whose
 *   success rate is below mean − `successRateStdevFactor` × σ of theirs, and at least
 *   `successRateMinGap` below the mean. The deviation alone would eject the noisiest node of a
 *   fleet where every node fails alike (with 10% errors everywhere, one node in ten sits under
 *   mean − 1.9σ in about a quarter of the intervals); the gap keeps noise from ejecting anyone.
 * Sets each judged record's `successRate` and returns the verdicts, worst first. Ejected nodes are
 * not judged (their few calls are probes).
 */
export function judgeInterval(records: readonly NodeHealthRecord[], settings: HealthSettings): Verdict[] {
  const { minRequests, maxFailureRate, successRateMinHosts, successRateStdevFactor, successRateMinGap } =
    settings;
  const volume = Math.max(1, minRequests);
  let hosts = 0;
  let sum = 0;
  let squares = 0;
  const rates = new Float64Array(records.length).fill(Number.NaN);
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const total = record.counted() - record.intervalMark;
    if (total <= 0) continue;
    const rate = 1 - (record.failures - record.intervalFailures) / total;
    record.successRate = rate;
    if (record.state === EJECTED || total < volume) continue;
    rates[i] = rate;
    hosts++;
    sum += rate;
    squares += rate * rate;
  }
  const verdicts: Verdict[] = [];
  const mean = hosts > 0 ? sum / hosts : 1;
  const deviation = hosts > 0 ? Math.sqrt(Math.max(0, squares / hosts - mean * mean)) : 0;
  const bySuccessRate = successRateStdevFactor > 0 && successRateMinHosts > 0 && hosts >= successRateMinHosts;
  const threshold = Math.min(mean - successRateStdevFactor * deviation, mean - successRateMinGap);
  for (let i = 0; i < records.length; i++) {
    const rate = rates[i]!;
    if (Number.isNaN(rate)) continue;
    const record = records[i]!;
    if (maxFailureRate > 0 && 1 - rate >= maxFailureRate) {
      verdicts.push({ record, reason: "failure-percentage", rate });
    } else if (bySuccessRate && rate < threshold) {
      verdicts.push({ record, reason: "success-rate", rate });
    }
  }
  return verdicts.sort((a, b) => a.rate - b.rate);
}

/** A new interval starts: every record's counts are measured from here. */
export function markInterval(records: readonly NodeHealthRecord[]): void {
  for (const record of records) {
    record.intervalMark = record.counted();
    record.intervalFailures = record.failures;
  }
}
