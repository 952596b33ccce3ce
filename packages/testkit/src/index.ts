// Fake time and fixtures.
export { createFakeClock, flushMicrotasks } from "./fake-clock.js";
export type { FakeClock } from "./fake-clock.js";
export { makeNode, makeNodes, seededRandom } from "./fixtures.js";
export type { FixtureNodeInit } from "./fixtures.js";

// Conformance suites for third-party balancers and registries.
export { describeBalancerConformance } from "./balancer-conformance.js";
export type { BalancerConformanceOptions } from "./balancer-conformance.js";
export { describeRegistryConformance } from "./registry-conformance.js";
export type { RegistryConformanceOptions, RegistryUnderTest } from "./registry-conformance.js";
