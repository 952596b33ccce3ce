// The re-resolve schedule, on the fake clock, with a client that answers from the test: when the
// follower asks, how long it waits, how it backs off. The same flow against a real server is in
// watch.test.ts.
import { RegistryError, type ServiceInstance } from "@switchyard/api";
import { createFakeClock, flushMicrotasks, seededRandom } from "@switchyard/testkit";
import { describe, expect, it, vi } from "vitest";
import type { DnsClient } from "../src/client.js";
import { decodeReply } from "../src/decode.js";
import { ServiceFollower } from "../src/follower.js";
import type { DnsReply, QueryType } from "../src/message.js";
import type { DnsDiscoveryOptions } from "../src/options.js";
import { resolveSettings } from "../src/settings.js";
import { parseTarget } from "../src/target.js";
import { recordingLogger } from "./helpers.js";
import { encodeReply } from "./wire.js";

/** What the stub answers: a TTL for one A record of 10.0.0.<n>, an error, or no answer at all. */
type Answer = { ttl?: number; n?: number; nxdomain?: boolean } | "fail" | "hang";

class StubClient {
  readonly asked: { name: string; at: number; signal: AbortSignal | undefined }[] = [];
  next: Answer = { ttl: 5 };
  private readonly now: () => number;

  constructor(now: () => number) {
    this.now = now;
  }

  query(name: string, qtype: QueryType, signal: AbortSignal | undefined): Promise<DnsReply> {
    this.asked.push({ name, at: this.now(), signal });
    const answer = this.next;
    if (answer === "hang") {
      return new Promise((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason)));
    }
    if (answer === "fail") return Promise.reject(new RegistryError("dns: no server answered"));
    const answers =
      answer.nxdomain === true
        ? []
        : [{ type: "A" as const, name, ttl: answer.ttl ?? 5, address: `10.0.0.${answer.n ?? 1}` }];
    return Promise.resolve(
      decodeReply(encodeReply({ id: 1, name, qtype, rcode: answer.nxdomain ? 3 : 0, answers })),
    );
  }
}

function setup(options: DnsDiscoveryOptions = {}) {
  const clock = createFakeClock();
  const logger = recordingLogger();
  const settings = resolveSettings({ servers: ["127.0.0.1"], family: 4, clock, logger, ...options });
  const client = new StubClient(clock.now);
  const offered: (readonly ServiceInstance[])[] = [];
  const follower = new ServiceFollower(
    settings,
    client as unknown as DnsClient,
    "web",
    parseTarget("web.test:80", "test"),
    (list) => offered.push(list),
  );
  return { clock, logger, client, offered, follower };
}

describe("ServiceFollower", () => {
  it("resolves again when the records' TTL has passed, not before", async () => {
    const { clock, client, offered, follower } = setup();
    follower.start();
    await flushMicrotasks();
    expect(offered).toHaveLength(1);
    clock.advance(4999);
    expect(client.asked).toHaveLength(1);
    clock.advance(1);
    expect(client.asked.map((q) => q.at)).toEqual([0, 5000]);
    follower.stop(undefined);
  });

  it.each([
    ["a TTL below minIntervalMs", { ttl: 0 }, 1000],
    ["a TTL above maxIntervalMs", { ttl: 86_400 }, 30_000],
    ["an answer without a TTL (NXDOMAIN, no SOA)", { nxdomain: true }, 1000],
    ["a TTL between the bounds", { ttl: 12 }, 12_000],
  ])("keeps %s between the bounds", async (_, answer, delay) => {
    const { clock, client, logger, follower } = setup();
    client.next = answer;
    follower.start();
    await flushMicrotasks();
    expect(logger.lines.at(-1)?.details).toMatchObject({ nextInMs: delay });
    clock.advance(delay - 1);
    expect(client.asked).toHaveLength(1);
    clock.advance(1);
    expect(client.asked).toHaveLength(2);
    follower.stop(undefined);
  });

  it("honours minIntervalMs and maxIntervalMs given as options", async () => {
    const { clock, client, follower } = setup({ minIntervalMs: 250, maxIntervalMs: 2000 });
    client.next = { ttl: 0 };
    follower.start();
    await flushMicrotasks();
    client.next = { ttl: 60 };
    clock.advance(250);
    await flushMicrotasks();
    clock.advance(2000);
    expect(client.asked.map((q) => q.at)).toEqual([0, 250, 2250]);
    follower.stop(undefined);
  });

  it("offers nothing on a failure, retries with growing, jittered delays, and starts over after a success", async () => {
    const random = seededRandom(7);
    const draws = seededRandom(7);
    const { clock, client, offered, logger, follower } = setup({
      backoff: { initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0.5, random },
    });
    client.next = "fail";
    follower.start();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      await flushMicrotasks();
      const delay = logger.lines.at(-1)?.details?.retryInMs as number;
      delays.push(delay);
      clock.advance(delay);
    }
    const bases = [100, 200, 400, 800, 1000, 1000];
    expect(delays).toEqual(bases.map((base) => base * (1 - 0.5 * draws())));
    expect(offered).toEqual([]);
    expect(logger.warns()[0]).toMatch(
      /^dns: resolving "web" \(A\/AAAA web.test:80\) failed: dns: no server answered; retrying in \d+ ms; no list yet, next\(\) waits$/,
    );
    await flushMicrotasks(); // the seventh failure, which the last advance started
    const seventh = logger.lines.at(-1)?.details?.retryInMs as number;
    expect(seventh).toBe(1000 * (1 - 0.5 * draws()));
    client.next = { ttl: 5, n: 2 };
    clock.advance(seventh);
    await flushMicrotasks();
    expect(offered.map((list) => list.map((i) => i.id))).toEqual([["10.0.0.2:80"]]);
    client.next = "fail";
    clock.advance(5000);
    await flushMicrotasks();
    expect(logger.lines.at(-1)?.details?.retryInMs).toBe(100 * (1 - 0.5 * draws()));
    expect(logger.warns().at(-1)).toMatch(/the last 1 instance\(s\) keep serving$/);
    follower.stop(undefined);
  });

  it("goes on when the logger throws: the report goes to process.emitWarning and the retry still runs", async () => {
    const clock = createFakeClock();
    const warning = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const logger = {
      warn: () => {
        throw new Error("logger down");
      },
      debug: () => {
        throw new Error("logger down");
      },
    };
    const settings = resolveSettings({
      servers: ["127.0.0.1"],
      family: 4,
      clock,
      logger,
      backoff: { jitter: 0 },
    });
    const client = new StubClient(clock.now);
    client.next = "fail";
    const offered: (readonly ServiceInstance[])[] = [];
    const target = parseTarget("web.test:80", "test");
    const follower = new ServiceFollower(settings, client as unknown as DnsClient, "web", target, (list) =>
      offered.push(list),
    );
    try {
      follower.start();
      await flushMicrotasks();
      expect(warning).toHaveBeenCalledWith(
        expect.stringMatching(
          /^dns: resolving "web" .* failed: .*\(the logger threw while reporting this: logger down\)$/,
        ),
        expect.objectContaining({ code: "SWITCHYARD_WARNING" }),
      );
      client.next = { ttl: 5 };
      clock.advance(1000);
      await flushMicrotasks();
      expect(offered).toHaveLength(1); // the throwing debug line did not stop the answer either
      expect(clock.pendingTimers()).toBe(1);
    } finally {
      follower.stop(undefined);
      warning.mockRestore();
    }
  });

  it("stop() aborts the query in flight with its reason, leaves no timer, and ignores a late answer", async () => {
    const { clock, client, offered, logger, follower } = setup();
    client.next = "hang";
    follower.start();
    const reason = new Error("stopped");
    follower.stop(reason);
    expect(client.asked[0]?.signal?.aborted).toBe(true);
    expect(client.asked[0]?.signal?.reason).toBe(reason);
    await flushMicrotasks();
    expect(clock.pendingTimers()).toBe(0);
    expect(offered).toEqual([]);
    expect(logger.lines).toEqual([]);
    follower.stop(reason); // idempotent
  });
});
