import type { DoneFunc, DoneInfo, OutcomeObserver } from "@switchyard/api";
import { isNodeFailure } from "../failure.js";

/**
 * The done callback of a pick whose node builder does not report outcomes itself
 * (`WeightedNodeBuilder.reportsOutcomes`): reports the outcome to `observer` once, classified by
 * `isNodeFailure` alone, then calls the node's own `done`. One closure per call: the price of a
 * builder that does not report.
 */
export function observedDone(observer: OutcomeObserver, done: DoneFunc): DoneFunc {
  let called = false;
  return (info?: DoneInfo) => {
    if (called) return;
    called = true;
    const failed = isNodeFailure(info);
    // A call that never reached the node and did not fail tells nothing.
    if (failed || info?.bytesSent !== false) observer.observe(failed, info);
    done(info);
  };
}
