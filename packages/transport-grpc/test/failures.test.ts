import { type ServerWritableStream, status } from "@grpc/grpc-js";
import type { Discovery, Watcher } from "@switchyard/api";
import { p2c } from "@switchyard/balancer-p2c";
import { wrr } from "@switchyard/balancer-wrr";
import { createMemoryRegistry, type MemoryRegistry } from "@switchyard/registry-memory";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createChannelOptions } from "../src/index.js";
import type { SwitchyardChannelOptions } from "../src/options.js";
import { codeOf, instanceOf, quiet, waitForReady } from "./helpers.js";
import {
  type GreeterClient,
  greeter,
  type HelloReply,
  type HelloRequest,
  sayHello,
  startServers,
  type TestServer,
  tally,
} from "./servers.js";
import { type SpySelector, spySelector } from "./spy.js";

let servers: TestServer[] = [];
let registry: MemoryRegistry;
const clients: GreeterClient[] = [];

function dial(options: Partial<SwitchyardChannelOptions> = {}): GreeterClient {
  const built = createChannelOptions({
    target: "discovery:///helloworld",
    discovery: registry,
    logger: quiet,
    ...options,
  });
  const client = greeter(built.target, built.options);
  clients.push(client);
  return client;
}

async function dialReady(count: number, inner = wrr(), options: Partial<SwitchyardChannelOptions> = {}) {
  const spy: SpySelector = spySelector(inner);
  const client = dial({ selector: spy, ...options });
  await waitForReady(client);
  await vi.waitFor(() => expect(spy.nodes).toHaveLength(count));
  return { client, spy };
}

/** Calls `n` times in sequence; failed calls count as "error". */
async function outcomes(client: GreeterClient, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++)
    out.push(
      await sayHello(client).then(
        (r) => r.server,
        () => "error",
      ),
    );
  return out;
}

const share = (served: readonly string[], name: string) =>
  served.filter((s) => s === name).length / served.length;

beforeEach(async () => {
  servers = await startServers(3);
  registry = createMemoryRegistry();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await registry.close();
  await Promise.all(servers.map((s) => s.close()));
});

describe("transport-grpc when servers fail", () => {
  it("steers p2c away from a server that answers UNAVAILABLE", async () => {
    for (const s of servers) await registry.register(instanceOf(s));
    servers[0]!.handle((_, callback) => callback({ code: status.UNAVAILABLE, details: "overloaded" }));
    const { client, spy } = await dialReady(3, p2c());
    const served = (await outcomes(client, 300)).map((o) => (o === "error" ? "s0" : o));
    expect(share(served, "s0")).toBeLessThan(0.1);
    const failed = spy.done.filter((d) => d.address === servers[0]!.address);
    expect(failed.every((d) => d.info?.grpcStatus === status.UNAVAILABLE)).toBe(true);
  });

  it("steers p2c away from a server that answers slowly", async () => {
    for (const s of servers) await registry.register(instanceOf(s));
    servers[0]!.handle((call, callback) => {
      setTimeout(() => callback(null, { message: `slow ${call.request.name}`, server: "s0" }), 40);
    });
    const { client } = await dialReady(3, p2c());
    const loops = await Promise.all(Array.from({ length: 8 }, () => outcomes(client, 40)));
    const served = loops.flat();
    expect(served).not.toContain("error");
    // A fair share is 1/3; Kratos's square-root cost keeps some traffic on a slow idle node.
    expect(share(served, "s0")).toBeLessThan(0.2);
  });

  it("moves calls off a server stopped mid-run: only the calls on it fail, none hangs", async () => {
    for (const s of servers) await registry.register(instanceOf(s));
    servers[0]!.handle((call, callback) => {
      setTimeout(() => callback(null, { message: call.request.name, server: "s0" }), 30);
    });
    const { client, spy } = await dialReady(3);
    let started = 0;
    let slowest = 0;
    const lane = async (): Promise<string[]> => {
      const out: string[] = [];
      for (let i = 0; i < 25; i++) {
        if (++started === 40) void servers[0]!.close();
        const begin = Date.now();
        out.push(
          await sayHello(client).then(
            (r) => r.server,
            (e) => `error ${codeOf(e)}`,
          ),
        );
        slowest = Math.max(slowest, Date.now() - begin);
      }
      return out;
    };
    const all = (await Promise.all(Array.from({ length: 6 }, lane))).flat();
    const errors = all.filter((o) => o.startsWith("error"));
    // Each of the 6 lanes has one call in flight; those on s0 when it stops fail (the server
    // resets their streams: CANCELLED, or UNAVAILABLE when the connection drops first).
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.length).toBeLessThanOrEqual(6);
    const failedOnS0 = new Set([`error ${status.CANCELLED}`, `error ${status.UNAVAILABLE}`]);
    expect(errors.every((e) => failedOnS0.has(e))).toBe(true);
    expect(tally(all).s0).toBeGreaterThan(0);
    expect(slowest).toBeLessThan(1000);
    await vi.waitFor(() => expect(spy.nodes.map((n) => n.address)).not.toContain(servers[0]!.address));
    expect(new Set(await outcomes(client, 20))).toEqual(new Set(["s1", "s2"]));
  });

  it("follows instances added and removed while calls are in flight", async () => {
    await registry.register(instanceOf(servers[0]!));
    servers[0]!.handle((call, callback) => {
      setTimeout(() => callback(null, { message: call.request.name, server: "s0" }), 100);
    });
    const { client, spy } = await dialReady(1);
    const inFlight = Array.from({ length: 10 }, () => sayHello(client).then((r) => r.server));
    await registry.register(instanceOf(servers[1]!));
    await registry.deregister(instanceOf(servers[0]!));
    await vi.waitFor(() => expect(spy.nodes.map((n) => n.address)).toEqual([servers[1]!.address]));
    expect(await Promise.all(inFlight)).toEqual(Array(10).fill("s0"));
    expect(new Set(await outcomes(client, 10))).toEqual(new Set(["s1"]));
    const s0 = spy.done.filter((d) => d.address === servers[0]!.address);
    expect(s0.map((d) => d.info?.grpcStatus)).toEqual(Array(10).fill(status.OK));
  });

  it("reports a server stream done when the stream ends, not before", async () => {
    await registry.register(instanceOf(servers[0]!));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    servers[0]!.handleStream((call: ServerWritableStream<HelloRequest, HelloReply>) => {
      for (let i = 0; i < 3; i++) call.write({ message: `m${i}`, server: "s0" });
      void released.then(() => call.end());
    });
    const { client, spy } = await dialReady(1);
    const stream = client.sayHellos({ name: "s", count: 3 }, { deadline: Date.now() + 5000 });
    const messages: string[] = [];
    const ended = new Promise<number>((resolve) => stream.on("status", (s) => resolve(s.code)));
    await new Promise<void>((resolve) =>
      stream.on("data", (reply: HelloReply) => messages.push(reply.message) === 3 && resolve()),
    );
    expect(spy.done).toHaveLength(0);
    release();
    expect(await ended).toBe(status.OK);
    await vi.waitFor(() => expect(spy.done).toHaveLength(1));
    expect(spy.done[0]!.info?.grpcStatus).toBe(status.OK);
    expect(messages).toEqual(["m0", "m1", "m2"]);
  });

  it("reports a stream the client cancels as CANCELLED", async () => {
    await registry.register(instanceOf(servers[0]!));
    servers[0]!.handleStream((call) => call.write({ message: "first", server: "s0" }));
    const { client, spy } = await dialReady(1);
    const stream = client.sayHellos({ name: "s" });
    stream.on("error", () => {});
    await new Promise((resolve) => stream.once("data", resolve));
    stream.cancel();
    await vi.waitFor(() => expect(spy.done).toHaveLength(1));
    expect(spy.done[0]!.info?.grpcStatus).toBe(status.CANCELLED);
  });

  it("stops the registry watch when the client closes", async () => {
    await registry.register(instanceOf(servers[0]!));
    const watchers: Watcher[] = [];
    let stops = 0;
    const discovery: Discovery = {
      getService: (name, options) => registry.getService(name, options),
      watch(name, options) {
        const watcher = registry.watch(name, options);
        watchers.push(watcher);
        const stop = watcher.stop.bind(watcher);
        watcher.stop = () => {
          stops++;
          return stop();
        };
        return watcher;
      },
    };
    const client = dial({ discovery });
    expect((await sayHello(client)).server).toBe("s0");
    expect(watchers).toHaveLength(1);
    expect(stops).toBe(0);
    client.close();
    await vi.waitFor(() => expect(stops).toBe(1));
    await registry.register(instanceOf(servers[1]!));
    expect(watchers).toHaveLength(1);
  });
});
