// For everyone: the etcd registry and its options.
export { createEtcdRegistry } from "./registry.js";
export type { EtcdRegistry, InstanceKey } from "./registry.js";
export type {
  EtcdAuthOptions,
  EtcdBackoffOptions,
  EtcdRegistryOptions,
  EtcdTlsOptions,
} from "./options.js";

// For registry authors: nothing here. Its watchers are ListWatcher of @switchyard/kit, the one
// watcher plumbing every registry shares; describeRegistryConformance in @switchyard/testkit checks
// the contract they keep.
