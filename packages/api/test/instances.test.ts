import { describe, expect, it } from "vitest";
import { sameInstance, sameInstances } from "../src/instances.js";
import type { ServiceInstance } from "../src/registry.js";

const a: ServiceInstance = {
  id: "a",
  name: "s",
  version: "1",
  metadata: { zone: "eu" },
  endpoints: ["http://h:1"],
};
const b: ServiceInstance = { id: "b", name: "s", version: "1", metadata: {}, endpoints: ["http://h:2"] };

describe("sameInstances", () => {
  it("treats the same instances in another order as no change", () => {
    expect(sameInstances([a, b], [{ ...b }, { ...a, metadata: { zone: "eu" } }])).toBe(true);
    expect(sameInstances([], [])).toBe(true);
  });

  it.each([
    ["another version", { ...a, version: "2" }],
    ["another metadata value", { ...a, metadata: { zone: "us" } }],
    ["one more metadata key", { ...a, metadata: { zone: "eu", extra: "x" } }],
    ["endpoints in another order", { ...a, endpoints: ["http://h:1", "grpc://h:9"] }],
    ["another id", { ...a, id: "c" }],
  ])("sees %s as a change", (_, changed) => {
    expect(sameInstances([a, b], [changed, b])).toBe(false);
    expect(sameInstance(a, changed)).toBe(false);
  });

  it("sees an added or removed instance as a change", () => {
    expect(sameInstances([a], [a, b])).toBe(false);
    expect(sameInstances([a, b], [b])).toBe(false);
  });

  it("is not fooled by inherited metadata keys", () => {
    const inherited = Object.create({ zone: "eu" }) as Record<string, string>;
    expect(sameInstance({ ...a, metadata: { zone: "eu" } }, { ...a, metadata: inherited })).toBe(false);
  });
});
