import { Metadata, status } from "@grpc/grpc-js";
import { wrr } from "@switchyard/balancer-wrr";
import { version } from "@switchyard/filter-version";
import { createMemoryRegistry, type MemoryRegistry } from "@switchyard/registry-memory";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { callMetadata, callMethod, createChannelOptions, createRouteInterceptor } from "../src/index.js";
import type { SwitchyardChannelOptions } from "../src/options.js";
import { instanceOf, quiet, waitForReady } from "./helpers.js";
import { type GreeterClient, greeter, sayHello, startServers, type TestServer, tally } from "./servers.js";
import { type SpySelector, spySelector } from "./spy.js";

let servers: TestServer[] = [];
let registry: MemoryRegistry;
const clients: GreeterClient[] = [];

function dial(options: Partial<SwitchyardChannelOptions> = {}): GreeterClient {
  const { target, options: channelOptions } = createChannelOptions({
    target: "discovery:///helloworld",
    discovery: registry,
    logger: quiet,
    ...options,
  });
  const client = greeter(target, channelOptions);
  clients.push(client);
  return client;
}

/** Dials with a spy over `inner` and waits until `count` subchannels are READY. */
async function dialReady(
  count: number,
  inner = wrr(),
  options: Partial<SwitchyardChannelOptions> = {},
): Promise<{ client: GreeterClient; spy: SpySelector }> {
  const spy = spySelector(inner);
  const client = dial({ selector: spy, ...options });
  await waitForReady(client);
  await vi.waitFor(() => expect(spy.nodes).toHaveLength(count));
  return { client, spy };
}

async function servedBy(client: GreeterClient, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await sayHello(client)).server);
  return out;
}

beforeEach(async () => {
  servers = await startServers(3);
  registry = createMemoryRegistry();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await registry.close();
  await Promise.all(servers.map((s) => s.close()));
});

describe("transport-grpc over real grpc-js servers", () => {
  it("spreads calls exactly by weight with wrr (metadata weight 1, 2, 3 over 60 calls)", async () => {
    for (const [i, s] of servers.entries()) {
      await registry.register(instanceOf(s, { metadata: { weight: String(i + 1) } }));
    }
    const { client } = await dialReady(3);
    expect(tally(await servedBy(client, 60))).toEqual({ s0: 10, s1: 20, s2: 30 });
    expect(servers.map((s) => s.hits)).toEqual([10, 20, 30]);
  });

  it("gives the selector nodes with the version and metadata of the registry instances", async () => {
    await registry.register(
      instanceOf(servers[0]!, { version: "2.1.0", metadata: { zone: "a", weight: "7" } }),
    );
    const { spy } = await dialReady(1);
    expect(spy.nodes[0]).toMatchObject({
      scheme: "grpc",
      address: servers[0]!.address,
      serviceName: "helloworld",
      version: "2.1.0",
      initialWeight: 7,
      metadata: { zone: "a", weight: "7" },
    });
  });

  it("routes nothing to a version the channel's filter excludes", async () => {
    await registry.register(instanceOf(servers[0]!, { version: "1.0.0" }));
    await registry.register(instanceOf(servers[1]!, { version: "2.0.0" }));
    await registry.register(instanceOf(servers[2]!, { version: "2.0.0" }));
    const { client } = await dialReady(3, wrr(), { filters: [version("2.0.0")] });
    expect(tally(await servedBy(client, 20))).toEqual({ s1: 10, s2: 10 });
  });

  it("routes calls with a route interceptor through its filters and strips the route key before sending", async () => {
    await registry.register(instanceOf(servers[0]!, { version: "1.0.0" }));
    await registry.register(instanceOf(servers[1]!, { version: "1.0.0" }));
    await registry.register(instanceOf(servers[2]!, { version: "2.0.0" }));
    const seen: Metadata[] = [];
    for (const s of servers) {
      s.handle((call, callback) => {
        seen.push(call.metadata);
        callback(null, { message: "hi", server: s.name });
      });
    }
    const { client, spy } = await dialReady(3);
    const canary = createRouteInterceptor({ filters: [version("2.0.0")], attributes: { lane: "canary" } });
    for (let i = 0; i < 6; i++) {
      expect((await sayHello(client, "x", { interceptors: [canary] })).server).toBe("s2");
    }
    expect(new Set(await servedBy(client, 6))).toEqual(new Set(["s0", "s1", "s2"]));
    expect(seen.every((m) => m.get("x-switchyard-route").length === 0)).toBe(true);
    expect(spy.attributes[0]).toMatchObject({ lane: "canary", method: "/helloworld.Greeter/SayHello" });
  });

  it("lets filters route on the call's method and metadata", async () => {
    for (const s of servers) await registry.register(instanceOf(s));
    const pinned = servers[1]!.address;
    const methods: (string | undefined)[] = [];
    const pin = (nodes: readonly { address: string }[], ctx: Parameters<typeof callMethod>[0]) => {
      methods.push(callMethod(ctx));
      return callMetadata(ctx, "x-pin") === "1" ? nodes.filter((n) => n.address === pinned) : nodes;
    };
    const { client } = await dialReady(3, wrr(), { filters: [pin as never] });
    for (let i = 0; i < 5; i++) {
      const metadata = new Metadata();
      metadata.set("x-pin", "1");
      const reply = await new Promise<{ server: string }>((resolve, reject) =>
        client.sayHello({ name: "p" }, metadata, { deadline: Date.now() + 5000 }, (e, r) =>
          e ? reject(e) : resolve(r!),
        ),
      );
      expect(reply.server).toBe("s1");
    }
    expect(new Set(methods)).toEqual(new Set(["/helloworld.Greeter/SayHello"]));
  });

  it("reports each call's status code and trailers to done, once per call", async () => {
    await registry.register(instanceOf(servers[0]!));
    servers[0]!.handle((call, callback) => {
      if (call.request.name === "missing") {
        callback({ code: status.NOT_FOUND, details: "no such greeting" });
        return;
      }
      const trailers = new Metadata();
      trailers.set("x-load", "7");
      callback(null, { message: "hi", server: "s0" }, trailers);
    });
    const { client, spy } = await dialReady(1);
    await sayHello(client);
    await expect(sayHello(client, "missing")).rejects.toMatchObject({ code: status.NOT_FOUND });
    await vi.waitFor(() => expect(spy.done).toHaveLength(2));
    const [ok, missing] = spy.done;
    expect(ok!.info).toMatchObject({ grpcStatus: status.OK, error: undefined });
    expect(ok!.info?.replyMetadata?.get("x-load")).toBe("7");
    expect(ok!.info?.replyMetadata?.get("x-absent")).toBeUndefined();
    expect(missing!.info).toMatchObject({
      grpcStatus: status.NOT_FOUND,
      error: { code: status.NOT_FOUND, details: "no such greeting" },
    });
  });

  it("hands done the grpc-retry-pushback-ms trailer of an UNAVAILABLE reply, and of a RESOURCE_EXHAUSTED one", async () => {
    await registry.register(instanceOf(servers[0]!));
    servers[0]!.handle((call, callback) => {
      const trailers = new Metadata();
      if (call.request.name !== "plain") trailers.set("grpc-retry-pushback-ms", call.request.name);
      const code = call.request.name === "250" ? status.RESOURCE_EXHAUSTED : status.UNAVAILABLE;
      callback({ code, details: "overloaded", metadata: trailers });
    });
    const { client, spy } = await dialReady(1);
    for (const name of ["1500", "250", "plain"]) {
      await expect(sayHello(client, name)).rejects.toMatchObject({ details: "overloaded" });
    }
    await vi.waitFor(() => expect(spy.done).toHaveLength(3));
    expect(
      spy.done.map((d) => [d.info?.grpcStatus, d.info?.replyMetadata?.get("grpc-retry-pushback-ms")]),
    ).toEqual([
      [status.UNAVAILABLE, "1500"],
      [status.RESOURCE_EXHAUSTED, "250"],
      [status.UNAVAILABLE, undefined],
    ]);
  });
});

describe("closing the channel", () => {
  it("lets the selector go of its nodes: every node is published as removed", async () => {
    const { APPLY_CHANNEL } = await import("@switchyard/api");
    const { subscribe, unsubscribe } = await import("node:diagnostics_channel");
    for (const s of servers) await registry.register(instanceOf(s));
    const applied: { count: number; removed: readonly unknown[] }[] = [];
    const listener = (message: unknown) => applied.push(message as { count: number; removed: unknown[] });
    subscribe(APPLY_CHANNEL, listener);
    try {
      const { client } = await dialReady(3);
      applied.length = 0;
      client.close();
      await vi.waitFor(() => expect(applied.map((m) => [m.count, m.removed.length])).toEqual([[0, 3]]));
    } finally {
      unsubscribe(APPLY_CHANNEL, listener);
    }
  });
});
