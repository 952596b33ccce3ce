import type { Attributes } from "@opentelemetry/api";
import { createNode } from "@switchyard/selector-core";
import { describe, expect, it } from "vitest";
import { Endpoints } from "../src/endpoints.js";

function observed(endpoints: Endpoints): [string, number][] {
  const seen: [string, number][] = [];
  endpoints.observeInflight({
    observe: (value: number, attributes?: Attributes) =>
      seen.push([String(attributes?.["network.peer.address"]), value]),
  });
  return seen;
}

describe("Endpoints", () => {
  it("forgets an endpoint that left once its last call is done and observed at 0, even after its done", () => {
    const endpoints = new Endpoints();
    const a = createNode({ scheme: "http", address: "10.0.0.1:80", serviceName: "helloworld" });
    const b = createNode({ scheme: "http", address: "10.0.0.2:80", serviceName: "helloworld" });
    const picked = endpoints.of("helloworld", a, "wrr");
    picked.inflight++;
    endpoints.of("helloworld", b, "wrr").inflight++;
    endpoints.leave("helloworld", "wrr", a.address); // left with a call in flight
    expect(observed(endpoints)).toEqual([
      ["10.0.0.1", 1],
      ["10.0.0.2", 1],
    ]);
    endpoints.completed(endpoints.lookup("helloworld", a, "wrr")); // its done: no comeback
    expect(observed(endpoints)).toEqual([
      ["10.0.0.1", 0],
      ["10.0.0.2", 1],
    ]);
    expect(observed(endpoints)).toEqual([["10.0.0.2", 1]]);
    expect(endpoints.size).toBe(1);
    // A new pick there makes it current again.
    endpoints.of("helloworld", a, "wrr").inflight++;
    expect(endpoints.size).toBe(2);
  });

  it("does not count below zero a completion it never saw picked", () => {
    const endpoints = new Endpoints();
    const a = createNode({ scheme: "http", address: "10.0.0.1:80", serviceName: "helloworld" });
    endpoints.completed(endpoints.of("helloworld", a, "wrr"));
    expect(observed(endpoints)).toEqual([["10.0.0.1", 0]]);
  });
});
