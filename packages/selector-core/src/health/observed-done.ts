import type { DoneFunc, DoneInfo } from "@switchyard/api";
import { isNodeFailure } from "../failure.js";
import type { HealthLayer } from "./health-layer.js";
import type { NodeHealthRecord } from "./node-health.js";

/**
 * The done callback of a call whose outcome the selector watches itself: a probe, any call while no
 * node is healthy (a success then must end an ejection at once), and every call of a node builder
 * that does not report outcomes (`reportsOutcomes`; then this done reports it, classified by
 * `isNodeFailure` alone). One closure per call: the price of those cases only.
 *
 * `report`: the node does not count its outcomes, so this done does. Either way a success is read
 * from the record's counters (a completion came and no failure or ignored call did), so the node's
 * own classification (with the user's `isFailure`) decides.
 */
export function watchedDone(
  layer: HealthLayer,
  record: NodeHealthRecord,
  done: DoneFunc,
  probe: boolean,
  report: boolean,
): DoneFunc {
  let called = false;
  return (info?: DoneInfo) => {
    if (called) return;
    called = true;
    const counted = record.counted();
    const { failures, ignored } = record;
    if (report) record.observe(isNodeFailure(info), info);
    else done(info);
    if (record.counted() !== counted && record.failures === failures && record.ignored === ignored) {
      layer.succeeded(record, probe);
    }
    if (report) done(info);
  };
}
