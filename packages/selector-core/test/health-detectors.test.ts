import type { DoneInfo } from "@switchyard/api";
import { createFakeClock } from "@switchyard/testkit";
import { describe, expect, it } from "vitest";
import { direct } from "../src/direct.js";
import {
  aborted,
  failing,
  firstSelector,
  fleet,
  harness,
  ok,
  refused,
  unavailable,
} from "./health-fixture.js";

// Each detector at its threshold and one short of it, on the fake clock: 4 nodes in round robin,
// so node 0 gets every fourth call.

const reset: DoneInfo = Object.freeze({
  error: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
  bytesSent: true,
});

describe("health: runs of failures", () => {
  it("ejects a node after three connection failures in a row, not two", () => {
    const h = harness(4);
    h.calls(8, failing([0], refused)); // node 0 refused twice
    expect(h.state(0)).toBe("healthy");
    h.calls(4, failing([0], refused));
    expect(h.state(0)).toBe("ejected");
    expect(h.selector.health()[0]).toMatchObject({ reason: "connection-failures", ejections: 1 });
    expect(h.candidates()).not.toContain(h.nodes[0]!.address);
    expect(h.lines.join("\n")).toMatch(
      /10\.0\.0\.0:80 of "helloworld" ejected for 1 s: 3 connection failures in a row \(ECONNREFUSED\); 1 of 4 nodes out/,
    );
  });

  it("counts a reset after the request went out as a connection failure", () => {
    const h = harness(4);
    h.calls(12, failing([0], reset));
    expect(h.selector.health()[0]).toMatchObject({ state: "ejected", reason: "connection-failures" });
  });

  it("ejects a node after seven failures of any kind in a row, not six", () => {
    const h = harness(4);
    h.calls(24, failing([0])); // six 503s
    expect(h.state(0)).toBe("healthy");
    expect(h.selector.health()[0]!.consecutiveFailures).toBe(6);
    h.calls(4, failing([0]));
    expect(h.selector.health()[0]).toMatchObject({ state: "ejected", reason: "consecutive-failures" });
  });

  it("starts a run afresh after a success", () => {
    const h = harness(1, { intervalMs: 0 });
    for (let round = 0; round < 5; round++) {
      h.calls(6, () => unavailable);
      h.call(() => ok);
    }
    expect(h.state(0)).toBe("healthy");
    expect(h.selector.health()[0]!.consecutiveFailures).toBe(0);
  });

  it("a failure of another kind breaks a run of connection failures (the longer run still counts)", () => {
    const h = harness(1, { intervalMs: 0, consecutiveFailures: 5 });
    const outcomes = [refused, refused, unavailable, refused, refused];
    for (const info of outcomes) h.call(() => info);
    expect(h.state(0)).toBe("ejected");
    expect(h.selector.health()[0]!.reason).toBe("consecutive-failures");
  });

  it("ignores calls their caller cancelled and calls that never started", () => {
    const h = harness(1, { intervalMs: 0 });
    const notStarted = { bytesSent: false };
    for (let i = 0; i < 20; i++) h.call(() => (i % 2 === 0 ? aborted : notStarted));
    expect(h.state(0)).toBe("healthy");
    // …and they do not break a run either.
    const outcomes = [refused, aborted, refused, notStarted, refused];
    for (const info of outcomes) h.call(() => info);
    expect(h.state(0)).toBe("ejected");
  });

  it("honours the thresholds given, and 0 turns a detector off", () => {
    const h = harness(1, { consecutiveConnectionFailures: 0, consecutiveFailures: 7, intervalMs: 0 });
    h.calls(6, () => refused);
    expect(h.state(0)).toBe("healthy");
    h.call(() => refused);
    expect(h.selector.health()[0]).toMatchObject({ state: "ejected", reason: "consecutive-failures" });
  });

  it("counts what the user's isFailure marks, and never throws from done when it throws", () => {
    const clock = createFakeClock();
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m) };
    let throwing = false;
    const isFailure = (info: DoneInfo) => {
      if (throwing) throw new Error("bug in predicate");
      return info.httpStatus === 500;
    };
    const nodeBuilder = direct({ clock, isFailure, logger });
    const selector = firstSelector({ clock, nodeBuilder, logger, health: { intervalMs: 0 } });
    selector.apply(fleet(2));
    for (let i = 0; i < 7; i++) selector.select().done({ httpStatus: 500 });
    expect(selector.health()[0]!.state).toBe("ejected");
    throwing = true;
    expect(() => selector.select().done({ httpStatus: 200 })).not.toThrow();
    expect(warnings.some((w) => /direct: isFailure threw \(bug in predicate\)/.test(w))).toBe(true);
  });
});

describe("health: the interval detectors", () => {
  /** 10 nodes; node 0 fails `share` of its calls; `perNode` calls each per interval. */
  function interval(share: number, perNode: number, options = {}) {
    const h = harness(10, { consecutiveFailures: 0, ...options });
    let k = 0;
    const outcome = (i: number) => (i === 0 && k++ % Math.round(1 / share) === 0 ? unavailable : ok);
    h.calls(perNode * 10, outcome);
    return h;
  }

  it("ejects a node whose success rate is well below the fleet's at the end of the interval", () => {
    const h = interval(0.25, 40);
    expect(h.state(0)).toBe("healthy"); // judged at the end of the interval only
    h.clock.advance(1000);
    expect(h.selector.health()[0]).toMatchObject({
      state: "ejected",
      reason: "success-rate",
      successRate: 0.75,
    });
    expect(h.selector.health()[1]!.successRate).toBe(1);
  });

  it("judges no node below the volume, and none with fewer than five judged nodes", () => {
    const few = interval(0.25, 19); // 19 calls each, 20 needed
    few.clock.advance(1000);
    expect(few.state(0)).toBe("healthy");
    const small = harness(4, { consecutiveFailures: 0, maxFailureRate: 0 });
    let k = 0;
    small.calls(200, (i) => (i === 0 && k++ % 4 === 0 ? unavailable : ok));
    small.clock.advance(1000);
    expect(small.state(0)).toBe("healthy");
  });

  it("ejects nobody when every node fails alike (the gap under the mean keeps noise in)", () => {
    // 10% everywhere, and node 0 a little worse (12.5%): more than 1.9 sigma under the mean, but
    // within noise, not ten points under it. Without the gap, the deviation alone ejects it.
    for (const [gap, ejected] of [
      [undefined, false],
      [0, true],
    ] as const) {
      const h = harness(10, { consecutiveFailures: 0, successRateMinGap: gap });
      const counts = new Array(10).fill(0);
      h.calls(1000, (i) => (counts[i]++ % (i === 0 ? 8 : 10) === 0 ? unavailable : ok));
      h.clock.advance(1000);
      expect(h.state(0) === "ejected", `gap ${gap}`).toBe(ejected);
      expect(h.selector.health().filter((n) => n.state === "ejected").length).toBe(ejected ? 1 : 0);
    }
  });

  it("ejects a node failing at least the failure percentage, whatever the fleet does", () => {
    const h = harness(2, { consecutiveFailures: 0, maxFailureRate: 0.5 });
    let k = 0;
    h.calls(80, (i) => (i === 0 && k++ % 2 === 0 ? unavailable : ok)); // node 0: 50%
    h.clock.advance(1000);
    expect(h.selector.health()[0]).toMatchObject({ state: "ejected", reason: "failure-percentage" });
  });

  it("does not eject just under the failure percentage", () => {
    const h = harness(2, { consecutiveFailures: 0, maxFailureRate: 0.5 });
    let k = 0;
    h.calls(80, (i) => (i === 0 && k++ % 5 < 2 ? unavailable : ok)); // node 0: 40%
    h.clock.advance(1000);
    expect(h.state(0)).toBe("healthy");
  });

  it("arms the interval only when a failure comes, so an idle or healthy selector holds no timer", () => {
    const h = harness(3, { stallMs: 0 });
    h.calls(300);
    expect(h.clock.pendingTimers()).toBe(0);
    h.call(() => unavailable);
    expect(h.clock.pendingTimers()).toBe(1);
    h.clock.advance(1000);
    expect(h.clock.pendingTimers()).toBe(0);
  });
});

describe("health: pushback", () => {
  const withHeaders = (status: number, headers: Record<string, string>): DoneInfo => ({
    httpStatus: status,
    bytesSent: true,
    bytesReceived: true,
    replyMetadata: { get: (key) => headers[key.toLowerCase()] },
  });

  it("holds a node out for a Retry-After in seconds, then brings it back without probation", () => {
    const h = harness(3);
    h.call(() => withHeaders(503, { "retry-after": "2" }));
    expect(h.selector.health()[0]).toMatchObject({
      state: "ejected",
      reason: "pushback",
      ejectedUntil: 2000,
    });
    h.clock.advance(1999);
    expect(h.state(0)).toBe("ejected");
    h.clock.advance(1);
    expect(h.state(0)).toBe("healthy");
    expect(h.candidates()).toContain(h.nodes[0]!.address);
  });

  it("reads grpc-retry-pushback-ms on an UNAVAILABLE, and a 429's Retry-After", () => {
    const h = harness(3);
    h.call(() => ({
      grpcStatus: 14,
      error: { code: 14 },
      replyMetadata: { get: (key) => (key === "grpc-retry-pushback-ms" ? "250" : undefined) },
    }));
    expect(h.selector.health()[0]).toMatchObject({ reason: "pushback", ejectedUntil: 250 });
    const other = harness(3);
    other.call(() => withHeaders(429, { "retry-after": "1" }));
    expect(other.selector.health()[0]).toMatchObject({ reason: "pushback", ejectedUntil: 1000 });
  });

  it("caps a pushback at maxPushbackMs, and ignores one when maxPushbackMs is 0", () => {
    const h = harness(3);
    h.call(() => withHeaders(503, { "retry-after": "3600" }));
    expect(h.selector.health()[0]!.ejectedUntil).toBe(20_000);
    const off = harness(3, { maxPushbackMs: 0 });
    off.call(() => withHeaders(503, { "retry-after": "5" }));
    expect(off.state(0)).toBe("healthy");
  });

  it("reads no pushback from a success, and survives a metadata reader that throws", () => {
    const h = harness(3);
    h.call(() => withHeaders(200, { "retry-after": "5" }));
    expect(h.state(0)).toBe("healthy");
    const broken: DoneInfo = {
      httpStatus: 503,
      replyMetadata: {
        get() {
          throw new Error("bad headers");
        },
      },
    };
    expect(() => h.call(() => broken)).not.toThrow();
    expect(h.state(1)).toBe("healthy");
  });
});

describe("health: the stall detector", () => {
  /**
   * 4 nodes, 10 calls per ms; node 0's calls never complete when `hang`, every other call completes
   * after `latencyMs`. Runs `ms` of traffic.
   */
  function traffic(h: ReturnType<typeof harness>, ms: number, latencyMs: number, hang: boolean) {
    for (let t = 0; t < ms; t++) {
      for (let k = 0; k < 10; k++) {
        const { node, done } = h.selector.select();
        if (!(hang && node === h.nodes[0])) h.clock.setTimeout(() => done(ok), latencyMs);
      }
      h.clock.advance(1);
    }
  }

  it("ejects a node whose calls stop coming back before they reach any deadline", () => {
    const h = harness(4);
    traffic(h, 600, 10, true);
    expect(h.selector.health()[0]).toMatchObject({ state: "ejected", reason: "stalled", ejectedSince: 250 });
    expect(h.lines.join("\n")).toMatch(
      /none of its \d+ calls in flight came back in 250 ms while the others completed \d+/,
    );
    expect(h.selector.health().filter((n) => n.state === "ejected")).toHaveLength(1);
  });

  it("leaves calls that are long everywhere alone (long polls), and slow nodes that still complete", () => {
    const long = harness(4);
    traffic(long, 2000, 1500, false);
    expect(long.selector.health().map((n) => n.state)).not.toContain("ejected");
    const h = harness(4);
    // Node 0 answers in 200 ms, the rest in 10: it completes within each look.
    for (let t = 0; t < 2000; t++) {
      for (let k = 0; k < 10; k++) {
        const { node, done } = h.selector.select();
        h.clock.setTimeout(() => done(ok), node === h.nodes[0] ? 200 : 10);
      }
      h.clock.advance(1);
    }
    expect(h.state(0)).toBe("healthy");
  });

  it("looks only while selects come: an idle selector keeps no timer; stallMs: 0 turns it off", () => {
    const h = harness(4);
    h.calls(10);
    expect(h.clock.pendingTimers()).toBe(1);
    h.clock.advance(250);
    expect(h.clock.pendingTimers()).toBe(0);
    const off = harness(4, { stallMs: 0 });
    traffic(off, 600, 10, true);
    expect(off.state(0)).toBe("healthy");
  });
});
