// For everyone: the in-process registry and the static list.
export { createMemoryRegistry } from "./memory-registry.js";
export type { InstanceKey, MemoryRegistry } from "./memory-registry.js";
export type { MemoryRegisterOptions, MemoryRegistryOptions } from "./options.js";
export { createStaticDiscovery } from "./static-discovery.js";

// For registry authors: nothing yet. The watcher here stays internal; the contract it keeps is
// checked by describeRegistryConformance in @switchyard/testkit.
