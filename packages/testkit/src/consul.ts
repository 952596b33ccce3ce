// A faithful double of the Consul agent HTTP API, on loopback, for registry tests that cannot
// install Consul. Import from "@switchyard/testkit/consul".

export type { ConsulDouble, ConsulDoubleScope } from "./consul-double/double.js";
export { startConsulDouble } from "./consul-double/double.js";
export { formatGoDuration, parseGoDuration } from "./consul-double/duration.js";
export type {
  ConsulCheckStatus,
  ConsulDoubleAcl,
  ConsulDoubleCheck,
  ConsulDoubleGrant,
  ConsulDoubleOptions,
  ConsulFault,
  ConsulFaultOptions,
  ConsulRecordedRequest,
  ConsulRequestOutcome,
} from "./consul-double/types.js";
