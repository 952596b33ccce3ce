import { InvalidArgumentError, NoAvailableNodeError, type ServiceInstance } from "@switchyard/api";
import { p2c } from "@switchyard/balancer-p2c";
import { version } from "@switchyard/filter-version";
import { createMemoryRegistry, type MemoryRegistry } from "@switchyard/registry-memory";
import { createFakeClock, type FakeClock, seededRandom } from "@switchyard/testkit";
import { fetch, request } from "undici";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createClient, type HttpClient } from "../src/client.js";
import { requestHeader } from "../src/headers.js";
import { startServers, type TestServer, tally } from "./servers.js";

let servers: TestServer[] = [];
let registry: MemoryRegistry;
const clients: HttpClient[] = [];

const instance = (s: TestServer, extra: Partial<ServiceInstance> = {}): ServiceInstance => ({
  id: s.address,
  name: "helloworld",
  version: "1.0.0",
  metadata: {},
  endpoints: [`http://${s.address}`],
  ...extra,
});

async function client(options: Partial<Parameters<typeof createClient>[0]> = {}): Promise<HttpClient> {
  const c = await createClient({
    endpoint: "discovery:///helloworld",
    discovery: registry,
    block: { timeoutMs: 5000 },
    logger: { warn: () => {} },
    ...options,
  });
  clients.push(c);
  return c;
}

async function servedBy(
  c: HttpClient,
  n: number,
  init?: Parameters<HttpClient["request"]>[1],
): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const reply = await c.request("/hello", init);
    out.push(reply.address);
    await reply.body.dump();
  }
  return out;
}

/** Like servedBy, one request at a time, moving the fake clock `ms` after each. */
async function servedByPaced(c: HttpClient, n: number, clock: FakeClock, ms: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(...(await servedBy(c, 1)));
    clock.advance(ms);
  }
  return out;
}

beforeEach(async () => {
  servers = await startServers(3);
  registry = createMemoryRegistry();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await registry.close();
  await Promise.all(servers.map((s) => s.close()));
});

describe("transport-http over real servers", () => {
  it("spreads requests exactly by weight with wrr (metadata weight 1, 2, 3 over 60 requests)", async () => {
    for (const [i, s] of servers.entries()) {
      await registry.register(instance(s, { metadata: { weight: String(i + 1) } }));
    }
    const c = await client();
    const counts = tally(await servedBy(c, 60));
    expect(counts).toEqual({
      [servers[0]!.address]: 10,
      [servers[1]!.address]: 20,
      [servers[2]!.address]: 30,
    });
    expect(servers.map((s) => s.hits)).toEqual([10, 20, 30]);
  });

  it("routes only to the version the client's filter keeps", async () => {
    await registry.register(instance(servers[0]!, { version: "1.0.0" }));
    await registry.register(instance(servers[1]!, { version: "2.0.0" }));
    await registry.register(instance(servers[2]!, { version: "2.0.0" }));
    const c = await client({ filters: [version("2.0.0")] });
    const served = await servedBy(c, 20);
    expect(served).not.toContain(servers[0]!.address);
    expect(new Set(served).size).toBe(2);
  });

  it("routes per request on a header through a filter", async () => {
    for (const s of servers) await registry.register(instance(s));
    const c = await client();
    const pinned = servers[2]!.address;
    const byHeader = (nodes: readonly { address: string }[], ctx: Parameters<typeof requestHeader>[0]) =>
      requestHeader(ctx, "x-pin") === "3" ? nodes.filter((n) => n.address === pinned) : nodes;
    const served = await servedBy(c, 10, { headers: { "X-Pin": "3" }, filters: [byHeader as never] });
    expect(new Set(served)).toEqual(new Set([pinned]));
    expect(new Set(await servedBy(c, 9)).size).toBe(3);
  });

  it("works as an undici dispatcher for fetch and request, keeping path, query and a set Host header", async () => {
    await registry.register(instance(servers[0]!));
    const c = await client();
    const res = await fetch("http://helloworld/greet?name=x", { dispatcher: c.dispatcher });
    expect(await res.json()).toMatchObject({
      server: "s0",
      path: "/greet?name=x",
      host: servers[0]!.address,
    });
    const viaRequest = await request("http://helloworld/a", {
      dispatcher: c.dispatcher,
      headers: { host: "hello.svc" },
    });
    expect(await viaRequest.body.json()).toMatchObject({ path: "/a", host: "hello.svc" });
  });

  it("steers p2c away from a server that answers 503", async () => {
    for (const s of servers) await registry.register(instance(s));
    servers[0]!.handle((_, res) => {
      res.statusCode = 503;
      res.end("overloaded");
    });
    const clock = createFakeClock();
    const c = await client({ selector: p2c({ clock, random: seededRandom(1) }) });
    const served = await servedByPaced(c, 300, clock, 1);
    const share = served.filter((a) => a === servers[0]!.address).length / served.length;
    expect(share).toBeLessThan(0.1);
  });

  it("steers p2c away from a server that answers slowly", async () => {
    for (const s of servers) await registry.register(instance(s));
    // The time the balancer sees moves only as the servers answer: 40 ms for server 0, 1 ms for the
    // others (one request at a time, so each answer's time is its own).
    const clock = createFakeClock();
    for (const [i, s] of servers.entries()) {
      s.handle((_, res) => {
        clock.advance(i === 0 ? 40 : 1);
        res.end(i === 0 ? "slow" : "ok");
      });
    }
    const c = await client({ selector: p2c({ clock, random: seededRandom(2) }) });
    const served = await servedBy(c, 320);
    const share = served.filter((a) => a === servers[0]!.address).length / served.length;
    expect(share).toBeLessThan(0.15);
  });

  it("follows instances added and removed while requests are in flight", async () => {
    await registry.register(instance(servers[0]!));
    const c = await client();
    const inFlight = Array.from({ length: 20 }, () =>
      c.request("/x").then(async (r) => {
        await r.body.dump();
        return r.address;
      }),
    );
    await registry.register(instance(servers[1]!));
    await registry.deregister(instance(servers[0]!));
    await vi.waitFor(async () => {
      const r = await c.request("/x");
      await r.body.dump();
      expect(r.address).toBe(servers[1]!.address);
    });
    expect(
      (await Promise.all(inFlight)).every((a) => a === servers[0]!.address || a === servers[1]!.address),
    ).toBe(true);
    expect(new Set(await servedBy(c, 10))).toEqual(new Set([servers[1]!.address]));
  });

  it("fails fast when a server is killed, and Kratos-cost p2c moves traffic off it at 100 requests/s (fake clock)", async () => {
    for (const s of servers) await registry.register(instance(s));
    // The ewma decay runs on time: pace the requests at 10 ms of (fake) time each.
    const clock = createFakeClock();
    const c = await client({ selector: p2c({ clock, cost: "kratos", random: seededRandom(5) }) });
    await servedBy(c, 9);
    const dead = servers[0]!;
    await dead.close();
    const outcomes: string[] = [];
    for (let i = 0; i < 200; i++) {
      const started = Date.now();
      try {
        const r = await c.request("/x");
        await r.body.dump();
        outcomes.push(r.address);
      } catch (error) {
        outcomes.push("error");
        expect(Date.now() - started).toBeLessThan(1000); // refused at once, not hung
        expect((error as { code?: string }).code ?? (error as Error).message).toMatch(
          /ECONNREFUSED|UND_ERR_SOCKET/,
        );
      }
      clock.advance(10);
    }
    const errors = outcomes.filter((o) => o === "error").length;
    // A few calls find the dead node before its success average falls; later only the 3 s probe does.
    expect(errors).toBeLessThan(10);
    expect(outcomes.slice(-100).filter((o) => o === "error").length).toBeLessThanOrEqual(1);
  });

  it("moves p2c traffic off a killed server within a few calls (default cost, fake clock)", async () => {
    for (const s of servers) await registry.register(instance(s));
    const clock = createFakeClock();
    const c = await client({ selector: p2c({ clock, random: seededRandom(3) }) });
    await servedByPaced(c, 9, clock, 10);
    await servers[0]!.close();
    const outcomes: string[] = [];
    for (let i = 0; i < 200; i++) {
      try {
        const r = await c.request("/x");
        await r.body.dump();
        outcomes.push(r.address);
      } catch {
        outcomes.push("error");
      }
      clock.advance(10);
    }
    // Refused connections fail in well under a millisecond, so they look fast: the default cost
    // counts every failure, so the dead node loses its traffic after a handful of them.
    expect(outcomes.filter((o) => o === "error").length).toBeLessThan(15);
    // At most the 3 s probe (200 calls 10 ms apart stay short of it).
    expect(outcomes.slice(-100).filter((o) => o === "error").length).toBeLessThanOrEqual(1);
  });

  it("retries an idempotent request on another node when a server is down, within the budget", async () => {
    for (const s of servers) await registry.register(instance(s));
    const c = await client({ retry: { attempts: 2, budget: { maxTokens: 5, ratio: 0 } } });
    await servers[0]!.close();
    const outcomes = await Promise.allSettled(Array.from({ length: 30 }, () => c.request("/x")));
    const failures = outcomes.filter((o) => o.status === "rejected").length;
    // wrr sends 10 of 30 to the dead server; the budget pays for 5 retries, so 5 fail.
    expect(failures).toBe(5);
    for (const o of outcomes)
      if (o.status === "fulfilled") expect(o.value.address).not.toBe(servers[0]!.address);
  });

  it("does not retry non-idempotent requests", async () => {
    await registry.register(instance(servers[0]!));
    await registry.register(instance(servers[1]!));
    const c = await client({ retry: true });
    await servers[0]!.close();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 4 }, () => c.request("/x", { method: "POST", body: "{}" })),
    );
    expect(outcomes.filter((o) => o.status === "rejected")).toHaveLength(2);
  });

  it("ignores bad endpoints in the registry with a logged reason, and serves the good ones", async () => {
    const warn = vi.fn();
    await registry.register(instance(servers[0]!));
    await registry.register({ ...instance(servers[1]!), id: "grpc-only", endpoints: ["grpc://127.0.0.1:9"] });
    const c = await client({ logger: { warn } });
    expect(new Set(await servedBy(c, 5))).toEqual(new Set([servers[0]!.address]));
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("grpc-only"), expect.anything());
  });

  it("rejects createClient with a clear timeout error when block sees no instance", async () => {
    const started = Date.now();
    await expect(
      createClient({ endpoint: "discovery:///nobody", discovery: registry, block: { timeoutMs: 200 } }),
    ).rejects.toThrow(/no usable instance of "nobody" within 200 ms/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("fails requests with NoAvailableNodeError before any instance is known (no block)", async () => {
    const c = await createClient({
      endpoint: "discovery:///later",
      discovery: registry,
      logger: { warn() {} },
    });
    clients.push(c);
    await expect(c.request("/x")).rejects.toThrow(NoAvailableNodeError);
  });

  it("lets requests in flight finish on close, refuses new ones, and stops the watch", async () => {
    await registry.register(instance(servers[0]!));
    servers[0]!.handle((_, res) => setTimeout(() => res.end("late"), 50));
    const c = await client();
    const inFlight = c.request("/x").then((r) => r.body.text());
    await c.close();
    expect(await inFlight).toBe("late");
    await expect(c.request("/x")).rejects.toThrow(/client is closed/);
  });

  it("talks to a fixed http://host:port endpoint with no discovery", async () => {
    const c = await createClient({ endpoint: `http://${servers[1]!.address}` });
    clients.push(c);
    expect(await c.json("/direct")).toMatchObject({ server: "s1", path: "/direct" });
  });

  it("throws HttpStatusError from json() on a non-2xx reply", async () => {
    servers[0]!.handle((_, res) => {
      res.statusCode = 404;
      res.end("no such thing");
    });
    const c = await createClient({ endpoint: `http://${servers[0]!.address}` });
    clients.push(c);
    await expect(c.json("/missing")).rejects.toMatchObject({
      code: "HTTP_STATUS",
      status: 404,
      body: "no such thing",
    });
  });

  it.each([
    [{ endpoint: "ftp://x" }, /unsupported endpoint scheme/],
    [{ endpoint: "discovery:///" }, /names no service/],
    [{ endpoint: "http://h:1/path" }, /origin only/],
    [{ endpoint: "discovery:///a" }, /needs a discovery/],
    [{ endpoint: "http://h:1", connectTimeoutMs: -1 }, /connectTimeoutMs must be a positive number/],
    [{ endpoint: "http://h:1", retry: { attempts: 0 } }, /retry.attempts must be an integer/],
    [{ endpoint: "http://h:1", selector: {} as never }, /selector must be a SelectorBuilder/],
  ])("rejects bad options %j with InvalidArgumentError", async (options, message) => {
    await expect(createClient(options as never)).rejects.toThrow(InvalidArgumentError);
    await expect(createClient(options as never)).rejects.toThrow(message);
  });
});

describe("close", () => {
  it("lets the selector go of its nodes: every node is published as removed once the client is closed", async () => {
    const { APPLY_CHANNEL } = await import("@switchyard/api");
    const { subscribe, unsubscribe } = await import("node:diagnostics_channel");
    for (const s of servers) await registry.register(instance(s));
    const applied: { count: number; removed: readonly unknown[] }[] = [];
    const listener = (message: unknown) => applied.push(message as { count: number; removed: unknown[] });
    subscribe(APPLY_CHANNEL, listener);
    try {
      const c = await client();
      await (await c.request("/")).body.dump();
      applied.length = 0;
      await c.close();
      expect(applied.map((m) => [m.count, m.removed.length])).toEqual([[0, 3]]);
    } finally {
      unsubscribe(APPLY_CHANNEL, listener);
    }
  });
});
