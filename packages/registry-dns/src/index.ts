// For everyone: discovery from DNS SRV and A/AAAA records, and its options.
export { createDnsDiscovery } from "./discovery.js";
export type { DnsDiscovery } from "./discovery.js";
export type { DnsBackoffOptions, DnsDiscoveryOptions, DnsServices, DnsTarget } from "./options.js";
export type { DnsServiceTarget } from "./target.js";

// For registry authors: nothing here. Its watchers are ListWatcher of @switchyard/kit, which keeps
// the contract describeRegistryConformance in @switchyard/testkit checks.
