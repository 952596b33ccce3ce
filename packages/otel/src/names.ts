/** The instruments {@link SwitchyardInstrumentation} records, by role. */
export const METRIC_NAMES = Object.freeze({
  calls: "switchyard.client.calls",
  duration: "switchyard.client.call.duration",
  inflight: "switchyard.endpoint.inflight",
  ejections: "switchyard.endpoint.ejections",
  ejected: "switchyard.endpoint.ejected",
  selectorErrors: "switchyard.selector.errors",
} as const);
