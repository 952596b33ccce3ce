import { type Clock, InvalidArgumentError, type Node } from "@switchyard/api";
import { createNode } from "@switchyard/selector-core";
import {
  createFakeClock,
  describeBalancerConformance,
  type FakeClock,
  seededRandom,
} from "@switchyard/testkit";
import { describe, expect, it, vi } from "vitest";
import { P2C_MAX_EJECTED_SHARE, P2cBalancer, p2c } from "../src/p2c.js";

// Over a real clock, the 5 ms weight cache makes p2c's shares uneven in a tight loop: "any" only checks that
// every node gets traffic. Its steering is checked on the fake clock below.
describeBalancerConformance({ name: "p2c", selector: () => p2c(), distribution: "any" });

const fleet = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    createNode({ scheme: "http", address: `10.0.0.${i}:80`, serviceName: "hello" }),
  );

interface Behaviour {
  latencyMs: number;
  fail: boolean;
}

/**
 * Open-loop traffic on the fake clock: one call every `everyMs`, each completing after its node's
 * latency (as a fake-clock timer). Returns the picks per node address within [from, to) ms.
 */
function simulate(
  clock: FakeClock,
  nodes: readonly Node[],
  behaviour: (address: string, now: number) => Behaviour,
  untilMs: number,
  window: { from: number; to: number },
  seed = 1,
): Map<string, number> {
  const selector = p2c({ clock, random: seededRandom(seed) }).build();
  selector.apply(nodes);
  const counts = new Map<string, number>(nodes.map((n) => [n.address, 0]));
  const start = clock.now();
  while (clock.now() - start < untilMs) {
    const { node, done } = selector.select();
    const t = clock.now() - start;
    if (t >= window.from && t < window.to) counts.set(node.address, counts.get(node.address)! + 1);
    const b = behaviour(node.address, t);
    clock.setTimeout(() => done(b.fail ? { httpStatus: 503 } : { httpStatus: 200 }), b.latencyMs);
    clock.advance(2);
  }
  return counts;
}

const share = (counts: Map<string, number>, address: string) =>
  counts.get(address)! / [...counts.values()].reduce((a, b) => a + b, 0);

describe("p2c steering (fake clock, 500 calls/s over 5 nodes)", () => {
  it("sends under 5% to a node 20× slower, within a few seconds", () => {
    const clock = createFakeClock();
    const nodes = fleet(5);
    const slow = nodes[0]!.address;
    const counts = simulate(clock, nodes, (a) => ({ latencyMs: a === slow ? 200 : 10, fail: false }), 8000, {
      from: 3000,
      to: 8000,
    });
    expect(share(counts, slow)).toBeLessThan(0.05);
  });

  it("sends under 5% to a node that fails every call", () => {
    const clock = createFakeClock();
    const nodes = fleet(5);
    const bad = nodes[0]!.address;
    const counts = simulate(clock, nodes, (a) => ({ latencyMs: 10, fail: a === bad }), 8000, {
      from: 3000,
      to: 8000,
    });
    expect(share(counts, bad)).toBeLessThan(0.05);
  });

  it("gives a recovered node traffic back through the 3 s probe", () => {
    const clock = createFakeClock();
    const nodes = fleet(5);
    const flaky = nodes[0]!.address;
    // Fails until t = 5 s, then is healthy. Measure the second after the next probe window.
    const counts = simulate(
      clock,
      nodes,
      (a, t) => ({ latencyMs: 10, fail: a === flaky && t < 5000 }),
      10_000,
      { from: 8500, to: 10_000 },
    );
    expect(share(counts, flaky)).toBeGreaterThan(0.1);
  });
});

describe("p2c picks", () => {
  it("always picks the only node", () => {
    const clock = createFakeClock();
    const selector = p2c({ clock }).build();
    const [only] = fleet(1);
    selector.apply([only!]);
    for (let i = 0; i < 10; i++) expect(selector.select().node).toBe(only);
  });

  it("keeps the heavier of the two, and probes the lighter once it has waited 3 s", () => {
    const clock = createFakeClock();
    const selector = p2c({ clock }).build();
    const [a, b] = fleet(2);
    selector.apply([a!, b!]);
    // Both are new (never picked): the first selects probe each of them once.
    const first = selector.select();
    const second = selector.select();
    expect(new Set([first.node, second.node])).toEqual(new Set([a, b]));
    clock.advance(10);
    (first.node === a ? first : second).done({ httpStatus: 503 }); // a fails: weight 0
    (first.node === b ? first : second).done({ httpStatus: 200 });
    clock.advance(10);
    for (let i = 0; i < 20; i++) {
      const { node, done } = selector.select();
      expect(node).toBe(b);
      done();
      clock.advance(100);
    }
    clock.advance(1000); // a was last picked over 3 s ago now
    expect(selector.select().node).toBe(a);
    expect(selector.select().node).toBe(b); // one probe, then back to the heavier node
  });

  it("reads the clock once per pick and once per done", () => {
    const fake = createFakeClock();
    let reads = 0;
    const clock: Clock = {
      ...fake,
      now: () => {
        reads++;
        return fake.now();
      },
    };
    const selector = p2c({ clock }).build();
    selector.apply(fleet(10));
    for (let i = 0; i < 50; i++) selector.select().done(); // warm up
    reads = 0;
    for (let i = 0; i < 100; i++) {
      const { done } = selector.select();
      fake.advance(1);
      done({});
    }
    expect(reads).toBe(200);
  });

  it("draws two distinct nodes uniformly from one random number", () => {
    const balancer = new P2cBalancer({
      random: seededRandom(7),
      clock: createFakeClock(),
      forcePickGapMs: 1e12,
    });
    const seen = new Map<string, number>();
    const nodes = fleet(4).map((n) => {
      const weighted = {
        ...n,
        raw: n,
        weight: () => 1,
        pick: () => () => {},
        pickElapsed: () => 0,
      };
      return weighted;
    });
    // Equal weights: the first of the two draws wins, so picks are uniform.
    for (let i = 0; i < 8000; i++) {
      const { node } = balancer.pick(nodes);
      seen.set(node.address, (seen.get(node.address) ?? 0) + 1);
    }
    for (const count of seen.values()) expect(count / 8000).toBeCloseTo(0.25, 1);
  });

  it.each([
    ["1", 1, 3],
    ["1.5", 1.5, 3],
    ["Infinity", Number.POSITIVE_INFINITY, 3],
    ["-0.5", -0.5, 0],
    ["-Infinity", Number.NEGATIVE_INFINITY, 0],
  ])(
    "clamps a draw of %s from a bad random source into [0, 1) instead of failing the call",
    (_, value, index) => {
      // Equal weights: the first of the two drawn nodes wins, so the pick shows where the draw landed.
      const balancer = new P2cBalancer({
        random: () => value as number,
        clock: createFakeClock(),
        forcePickGapMs: 1e12,
      });
      const nodes = fleet(4).map((n) => ({
        ...n,
        raw: n,
        weight: () => 1,
        pick: () => () => {},
        pickElapsed: () => 0,
      }));
      expect(balancer.pick(nodes).node).toBe(nodes[index]);
      // Through the selector, on real ewma nodes: every call gets a node.
      const selector = p2c({ clock: createFakeClock(), random: () => value as number }).build();
      const list = fleet(3);
      selector.apply(list);
      for (let i = 0; i < 20; i++) {
        const { node, done } = selector.select();
        expect(list).toContain(node);
        done({ httpStatus: 200 });
      }
    },
  );

  it("isolates a throwing isFailure: done never throws, the throw is reported once through the logger", () => {
    const warnings: string[] = [];
    const selector = p2c({
      clock: createFakeClock(),
      // info.error is undefined on a success: the bug users write.
      isFailure: (info) => (info.error as { code: number }).code === 14,
      logger: { warn: (message) => warnings.push(message) },
    }).build();
    selector.apply(fleet(3));
    for (let i = 0; i < 100; i++) expect(() => selector.select().done({ grpcStatus: 0 })).not.toThrow();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^ewma: isFailure threw/);
  });

  it.each([
    ["NaN", () => Number.NaN],
    ["undefined", () => undefined],
    ["a string", () => "0.5"],
    [
      "a throw",
      () => {
        throw new Error("entropy pool empty");
      },
    ],
  ])("gives every call a node when the random source returns %s, and warns once", (_, source) => {
    const warned = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    try {
      const selector = p2c({ clock: createFakeClock(), random: source as never }).build();
      const list = fleet(3);
      selector.apply(list);
      for (let i = 0; i < 20; i++) {
        const { node, done } = selector.select();
        expect(list).toContain(node);
        done({ httpStatus: 200 });
      }
      expect(warned).toHaveBeenCalledTimes(1);
      expect(String(warned.mock.calls[0]![0])).toMatch(/^p2c: the random source/);
    } finally {
      warned.mockRestore();
    }
  });

  it("rejects a random that is not a function at build time", () => {
    expect(() => p2c({ random: 0.5 as never })).toThrow(InvalidArgumentError);
    expect(() => p2c({ random: 0.5 as never })).toThrow(
      /p2c: random must be a function returning numbers in \[0, 1\)/,
    );
    expect(() => new P2cBalancer({ random: {} as never })).toThrow(InvalidArgumentError);
  });

  it("rejects a negative probe gap at build time", () => {
    expect(() => p2c({ forcePickGapMs: -1 })).toThrow(InvalidArgumentError);
    expect(() => p2c({ forcePickGapMs: Number.NaN })).toThrow(/forcePickGapMs must be a number/);
  });

  it("keeps ewma state bounded over 10,000 applies of a churning 1,000-node list", () => {
    const clock = createFakeClock();
    const pool = Array.from({ length: 2000 }, (_, i) =>
      createNode({ scheme: "h", address: `10.${i >> 8}.1.${i & 255}:1` }),
    );
    const selector = p2c({ clock }).build();
    const pending: (() => void)[] = [];
    for (let round = 0; round < 10_000; round++) {
      const start = (round * 37) % 1000;
      selector.apply(pool.slice(start, start + 1000));
      const { done } = selector.select();
      pending.push(done);
      if (pending.length > 10) pending.shift()!();
      clock.advance(1);
    }
    const internals = selector as unknown as {
      snapshot: { nodes: unknown[]; byAddress: Map<string, unknown> };
    };
    expect(internals.snapshot.nodes).toHaveLength(1000);
    expect(internals.snapshot.byAddress.size).toBe(1000);
  });
});

describe("p2c under one-at-a-time traffic (fake clock)", () => {
  /**
   * Three identical nodes, one call at a time: node A's first call takes 26 ms (a connection
   * set-up), every other call 1 ms ± 0.1 (seeded). Returns each node's share of the picks, per
   * second of simulated time.
   */
  function sequential(cost: "linear" | "kratos", seconds: number): number[][] {
    const clock = createFakeClock();
    const nodes = fleet(3);
    const selector = p2c({ clock, cost, random: seededRandom(1) }).build();
    selector.apply(nodes);
    const jitter = seededRandom(101);
    const counts = Array.from({ length: seconds }, () => [0, 0, 0]);
    let first = true;
    const start = clock.now();
    while (clock.now() - start < seconds * 1000) {
      const { node, done } = selector.select();
      const index = nodes.indexOf(node);
      counts[Math.floor((clock.now() - start) / 1000)]![index]!++;
      const slow = index === 0 && first;
      if (index === 0) first = false;
      clock.advance(slow ? 26 : 1 + (jitter() * 2 - 1) * 0.1);
      done({ httpStatus: 200 });
    }
    return counts.map((c) => c.map((n) => n / (c[0]! + c[1]! + c[2]!)));
  }

  it("gives a node whose first call was slow its third again within a few seconds, and starves none", () => {
    const shares = sequential("linear", 12);
    // A's 26 ms fades below its peers' 1 ms in about 600 ms × ln 26 ≈ 2 s; it is at its third by 5 s.
    const settled = shares.slice(5);
    const a = settled.reduce((sum, s) => sum + s[0]!, 0) / settled.length;
    expect(a).toBeGreaterThan(0.28);
    expect(a).toBeLessThan(0.38);
    // Without the fade, whichever node drew an unlucky sample lost every draw until its probe.
    for (const second of settled) for (const share of second) expect(share).toBeGreaterThan(0.2);
  });

  it('keeps Kratos\'s stale comparison with cost "kratos": the node waits for the 3 s probes', () => {
    const shares = sequential("kratos", 12);
    for (const second of shares.slice(0, 6)) expect(second[0]).toBeLessThan(0.01);
  });
});

describe("p2c with endpoint health", () => {
  /** A weighted node of `weight` whose health observer says `failing`. */
  const stub = (address: string, weight: number, failing: boolean) => {
    const raw = createNode({ scheme: "http", address });
    return {
      ...raw,
      raw,
      observer: { failing, weightFactor: 1, observe() {} },
      weight: () => weight,
      pickElapsed: () => 0,
      pick: () => () => {},
    };
  };

  it("takes the other node of its draw, or draws again, when its pick is failing and the selector says one may be", () => {
    const balancer = new P2cBalancer({ clock: createFakeClock(), random: seededRandom(4) });
    // The heavy nodes are failing (kept in because too many are out): never picked while a light one is drawn.
    const nodes = [
      stub("a:1", 100, true),
      stub("b:1", 100, true),
      stub("c:1", 100, true),
      stub("d:1", 1, false),
    ];
    const info = { stable: true, staticWeights: false, failing: true };
    const picked = Array.from({ length: 300 }, () => balancer.pick(nodes, {}, info).node.address);
    const healthy = picked.filter((a) => a === "d:1").length;
    // d is in half the draws; with two more draws, all but (1/2)³ of picks find it.
    expect(healthy / 300).toBeGreaterThan(0.8);
    // Without the selector's word, p2c keeps the heavier: d only when drawn with… nothing lighter.
    const plain = Array.from({ length: 300 }, () =>
      balancer.pick(nodes, {}, { stable: true, staticWeights: false }),
    );
    expect(plain.filter((p) => p.node.address === "d:1").length).toBe(0);
  });

  it("keeps the zone-outage cost small: six of ten nodes refusing costs a few calls, not a third", () => {
    const clock = createFakeClock();
    const nodes = fleet(10);
    const dead = new Set(nodes.slice(0, 6).map((n) => n.address));
    const refused = {
      error: Object.assign(new Error("refused"), { code: "ECONNREFUSED" }),
      bytesSent: false,
    };
    const failures = (health: false | undefined) => {
      const selector = p2c({ clock, random: seededRandom(9), health }).build();
      selector.apply(nodes);
      let failed = 0;
      for (let i = 0; i < 3000; i++) {
        const { node, done } = selector.select();
        const bad = dead.has(node.address);
        if (bad) failed++;
        clock.setTimeout(() => done(bad ? refused : { httpStatus: 200 }), bad ? 0.5 : 5);
        clock.advance(1);
      }
      return failed / 3000;
    };
    expect(failures(false)).toBeGreaterThan(0.2); // both draws dead a third of the time, less what ewma learns
    expect(failures(undefined)).toBeLessThan(0.02);
  });
});

describe("p2c's health defaults", () => {
  it("ejects at most a tenth of the nodes by default (wrr and random: half); the option overrides it", () => {
    const refused = {
      error: Object.assign(new Error("refused"), { code: "ECONNREFUSED" }),
      bytesSent: false,
    };
    const nodes = fleet(10);
    const dead = new Set(nodes.slice(0, 3).map((n) => n.address));
    const ejected = (health?: { maxEjectedShare: number }) => {
      const clock = createFakeClock();
      const selector = p2c({ clock, random: seededRandom(2), health }).build();
      selector.apply(nodes);
      for (let i = 0; i < 2000; i++) {
        const { node, done } = selector.select();
        done(dead.has(node.address) ? refused : { httpStatus: 200 });
      }
      return selector.health!().filter((n) => n.state === "ejected").length;
    };
    expect(P2C_MAX_EJECTED_SHARE).toBe(0.1);
    expect(ejected()).toBe(1);
    expect(ejected({ maxEjectedShare: 0.5 })).toBe(3);
  });
});
