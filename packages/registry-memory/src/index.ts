// For everyone: the in-process registry and the static list.
export { createMemoryRegistry } from "./memory-registry.js";
export type { InstanceKey, MemoryRegistry } from "./memory-registry.js";
export type { MemoryRegisterOptions, MemoryRegistryOptions } from "./options.js";
export { createStaticDiscovery } from "./static-discovery.js";

// For registry authors: nothing here. Its watchers are ListWatcher of @switchyard/kit, the one
// watcher plumbing every registry shares; describeRegistryConformance in @switchyard/testkit checks
// the contract they keep.
