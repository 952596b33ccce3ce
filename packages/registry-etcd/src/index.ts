// For everyone: the etcd registry and its options.
export { createEtcdRegistry } from "./registry.js";
export type { EtcdRegistry, InstanceKey } from "./registry.js";
export type {
  EtcdAuthOptions,
  EtcdBackoffOptions,
  EtcdRegistryOptions,
  EtcdTlsOptions,
} from "./options.js";

// For registry authors: nothing yet. The watcher keeps the contract that describeRegistryConformance
// in @switchyard/testkit checks.
