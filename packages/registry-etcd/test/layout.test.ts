import { createBackoff } from "@switchyard/kit";
import { describe, expect, it, vi } from "vitest";
import { instanceKey, prefixEnd, serviceRange } from "../src/layout.js";
import { resolveSettings } from "../src/settings.js";

describe("etcd key layout", () => {
  it("puts an instance under <namespace>/<service>/<id>, as Kratos does", () => {
    expect(instanceKey("/microservices", "helloworld", "host-1")).toBe("/microservices/helloworld/host-1");
  });

  it("reads a service as its prefix with the trailing slash, so that api-gateway is not part of api", () => {
    const range = serviceRange("/ns", "api");
    expect(range.key.toString()).toBe("/ns/api/");
    expect(range.end.toString()).toBe("/ns/api0"); // "/" + 1
    expect(Buffer.compare(Buffer.from("/ns/api-gateway/x"), range.key)).toBeLessThan(0);
  });

  it("ends a prefix range after the last byte below 0xff, or at the end of the keyspace", () => {
    expect([...prefixEnd(Buffer.from([0x61, 0xff, 0xff]))]).toEqual([0x62]);
    expect([...prefixEnd(Buffer.from([0xff]))]).toEqual([0]);
  });
});

describe("etcd backoff", () => {
  it("grows each delay by the multiplier up to the cap, shortens it by the jitter, and starts over on reset", () => {
    // The registry's settings, as its watches and registrations build their backoff from them. A
    // draw of 1 (the most jitter) is repaired to just below 1, with a warning kept out of the output.
    vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const options = { backoff: { initialMs: 100, maxMs: 300, multiplier: 2, jitter: 0.5 }, random: () => 1 };
    const backoff = createBackoff(resolveSettings(options).backoff);
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([50, 100, 150, 150]);
    backoff.reset();
    expect(backoff.next()).toBe(50);
    vi.restoreAllMocks();
  });
});
