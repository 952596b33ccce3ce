// A simulated fleet of the helloworld service: each instance has a version, a weight, a latency
// and an error rate. Calls run on a virtual clock, so the demo is fast and repeatable.
import { createNode } from "@switchyard/selector-core";

export const FLEET = [
  { address: "10.0.0.1:8000", version: "1.0.0", weight: 100, latencyMs: 10, errorRate: 0 },
  { address: "10.0.0.2:8000", version: "1.0.0", weight: 100, latencyMs: 12, errorRate: 0 },
  { address: "10.0.0.3:8000", version: "1.0.0", weight: 200, latencyMs: 9, errorRate: 0 },
  { address: "10.0.0.4:8000", version: "2.0.0", weight: 100, latencyMs: 11, errorRate: 0 },
  { address: "10.0.0.5:8000", version: "2.0.0", weight: 100, latencyMs: 110, errorRate: 0, note: "slow" },
  { address: "10.0.0.6:8000", version: "2.0.0", weight: 100, latencyMs: 10, errorRate: 0.3, note: "flaky" },
];

/** Joins mid-run, replacing 10.0.0.2. */
export const LATE_JOINER = {
  address: "10.0.0.7:8000",
  version: "2.0.0",
  weight: 100,
  latencyMs: 10,
  errorRate: 0,
};

export function toNode(instance) {
  return createNode({
    scheme: "http",
    address: instance.address,
    serviceName: "helloworld",
    version: instance.version,
    initialWeight: instance.weight,
  });
}
