import { describeRegistryConformance } from "@switchyard/testkit";
import { createMemoryRegistry } from "../src/index.js";

describeRegistryConformance({
  name: "memory registry",
  create() {
    const registry = createMemoryRegistry();
    return { registrar: registry, discovery: registry, close: () => registry.close() };
  },
});

// The same contract holds with TTLs on (one that never runs out during a test).
describeRegistryConformance({
  name: "memory registry with a TTL",
  create() {
    const registry = createMemoryRegistry({ ttlMs: 60_000 });
    return { registrar: registry, discovery: registry, close: () => registry.close() };
  },
});
