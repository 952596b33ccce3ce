import { InvalidArgumentError, type ServiceInstance } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { createNode, MAX_WEIGHT, nodeFromInstance, parseWeight } from "../src/node.js";

const instance = (metadata: Record<string, string>): ServiceInstance => ({
  id: "a",
  name: "helloworld",
  version: "2.0.0",
  metadata,
  endpoints: ["http://10.0.0.1:8000"],
});

describe("createNode", () => {
  it("builds a frozen node with defaults for the optional fields", () => {
    const node = createNode({ scheme: "http", address: "10.0.0.1:80" });
    expect(node).toMatchObject({ scheme: "http", address: "10.0.0.1:80", serviceName: "", version: "" });
    expect(node.initialWeight).toBeUndefined();
    expect(Object.isFrozen(node)).toBe(true);
    expect(Object.keys(node.metadata)).toEqual([]);
  });

  it.each([
    [{ scheme: "", address: "a:1" }, /scheme must be a non-empty string/],
    [{ scheme: "http", address: "" }, /address must be a non-empty string/],
    [{ scheme: "http", address: 42 }, /address must be a non-empty string, got 42/],
    [
      { scheme: "http", address: "a:1", initialWeight: Number.NaN },
      /initialWeight of a:1 must be an integer/,
    ],
    [{ scheme: "http", address: "a:1", initialWeight: -1 }, /from 0 to 2147483647, got -1/],
    [{ scheme: "http", address: "a:1", initialWeight: 1.5 }, /must be an integer/],
    [{ scheme: "http", address: "a:1", initialWeight: MAX_WEIGHT + 1 }, /must be an integer/],
    [{ scheme: "http", address: "a:1", initialWeight: Number.POSITIVE_INFINITY }, /must be an integer/],
    [{ scheme: "http", address: "a:1", initialWeight: "1" }, /must be an integer/],
    [{ scheme: "http", address: "a:1", version: 2 }, /version of a:1 must be a string, got 2/],
    [{ scheme: "http", address: "a:1", serviceName: null }, /serviceName of a:1 must be a string, got null/],
    [{ scheme: "http", address: "a:1", metadata: "abc" }, /metadata of a:1 must be a plain object/],
    [{ scheme: "http", address: "a:1", metadata: ["x"] }, /metadata of a:1 must be a plain object/],
    [{ scheme: "http", address: "a:1", metadata: { zone: 1 } }, /metadata "zone" of a:1 must be a string/],
  ])("rejects bad input %j with InvalidArgumentError", (init, message) => {
    expect(() => createNode(init as never)).toThrow(InvalidArgumentError);
    expect(() => createNode(init as never)).toThrow(message);
  });

  it("rejects a missing init object", () => {
    expect(() => createNode(undefined as never)).toThrow(InvalidArgumentError);
  });

  it("accepts the weight bounds 0 and MAX_WEIGHT", () => {
    expect(createNode({ scheme: "h", address: "a:1", initialWeight: 0 }).initialWeight).toBe(0);
    expect(createNode({ scheme: "h", address: "a:1", initialWeight: MAX_WEIGHT }).initialWeight).toBe(
      MAX_WEIGHT,
    );
  });
});

describe("nodeFromInstance", () => {
  it("takes the weight from metadata when it parses as an integer", () => {
    const node = nodeFromInstance("http", "10.0.0.1:8000", instance({ weight: "30" }));
    expect(node).toMatchObject({ serviceName: "helloworld", version: "2.0.0", initialWeight: 30 });
    expect(node.metadata.weight).toBe("30");
  });

  it.each(["abc", "1.5", "-3", "", " ", "1e3", "99999999999", "0x10"])(
    "treats weight %j as no weight, never as an error",
    (weight) => {
      expect(nodeFromInstance("http", "a:1", instance({ weight })).initialWeight).toBeUndefined();
    },
  );

  it("keeps __proto__ and constructor metadata keys as plain data", () => {
    const raw = JSON.parse('{"__proto__": "p", "constructor": "c", "zone": "eu"}') as Record<string, string>;
    const node = nodeFromInstance("http", "a:1", instance(raw));
    expect(Object.getPrototypeOf(node.metadata)).toBeNull();
    expect(Object.getOwnPropertyDescriptor(node.metadata, "__proto__")?.value).toBe("p");
    expect(node.metadata.constructor).toBe("c");
    expect(Object.keys(node.metadata).sort()).toEqual(["__proto__", "constructor", "zone"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.isFrozen(node.metadata)).toBe(true);
  });

  it("does not share the caller's metadata object", () => {
    const metadata = { zone: "eu" };
    const node = nodeFromInstance("http", "a:1", instance(metadata));
    metadata.zone = "us";
    expect(node.metadata.zone).toBe("eu");
  });

  it("drops non-string metadata values from untyped registry data", () => {
    const node = nodeFromInstance("http", "a:1", instance({ a: 1, b: "x" } as never));
    expect({ ...node.metadata }).toEqual({ b: "x" });
  });

  it("reads metadata that is not an object (a string, an array) as none, never spreading it", () => {
    for (const metadata of ["abc", ["x", "y"], 42]) {
      const node = nodeFromInstance("http", "a:1", instance(metadata as never));
      expect(Object.keys(node.metadata)).toEqual([]);
    }
  });

  it("works without an instance and rejects an empty address", () => {
    expect(nodeFromInstance("grpc", "a:1")).toMatchObject({
      serviceName: "",
      version: "",
      initialWeight: undefined,
    });
    expect(() => nodeFromInstance("grpc", "")).toThrow(InvalidArgumentError);
  });
});

describe("parseWeight", () => {
  it("reads decimal integers in range", () => {
    expect([parseWeight("0"), parseWeight("100"), parseWeight(" 7 "), parseWeight("+5")]).toEqual([
      0, 100, 7, 5,
    ]);
    expect(parseWeight(String(MAX_WEIGHT))).toBe(MAX_WEIGHT);
    expect(parseWeight(String(MAX_WEIGHT + 1))).toBeUndefined();
    expect(parseWeight(undefined)).toBeUndefined();
  });
});
