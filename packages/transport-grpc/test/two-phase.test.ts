import * as grpc from "@grpc/grpc-js";
import type { Balancer, SelectorBuilder } from "@switchyard/api";
import { createMemoryRegistry, type MemoryRegistry } from "@switchyard/registry-memory";
import { createSelectorBuilder, type DefaultSelector, type EwmaNode, ewma } from "@switchyard/selector-core";
import { createFakeClock, type FakeClock } from "@switchyard/testkit";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createChannelOptions, SWEEP_PERIOD_MS } from "../src/index.js";
import { codeOf, instanceOf, quiet, waitForReady } from "./helpers.js";
import { type GreeterClient, greeter, sayHello, startServers, type TestServer } from "./servers.js";

// Two-phase picks over real grpc-js servers: the call counts on its node from grpc-js's
// onCallStarted, not from the pick. grpc-js drops a pick without a word when the call is cancelled
// while its call credentials are made, or when the picked subchannel left READY meanwhile (it picks
// again); per-call credentials whose metadata the test hands over when it chooses hold a call
// between its pick and its start. The nodes are ewma nodes on a fake clock, so latency is exact.

let servers: TestServer[] = [];
let registry: MemoryRegistry | undefined;
let client: GreeterClient | undefined;
let clock: FakeClock;
let selectors: DefaultSelector[];

beforeEach(() => {
  clock = createFakeClock(1_000);
  selectors = [];
});

afterEach(async () => {
  client?.close();
  await registry?.close();
  await Promise.all(servers.map((s) => s.close()));
  client = undefined;
  registry = undefined;
  servers = [];
});

/** Picks the node of `preferred` while it is a candidate, else the first candidate. */
function preferring(preferred: () => string): Balancer {
  return {
    pick(nodes) {
      const node = nodes.find((n) => n.address === preferred()) ?? nodes[0]!;
      return { node, done: node.pick() };
    },
  };
}

/** A channel over `count` servers whose selector (ewma nodes, fake clock) the test can read. */
async function dial(count: number, preferred: () => string): Promise<DefaultSelector> {
  servers = await startServers(count);
  registry = createMemoryRegistry();
  for (const server of servers) await registry.register(instanceOf(server));
  const inner = createSelectorBuilder({
    balancer: { name: "preferring", build: () => preferring(preferred) },
    nodeBuilder: ewma({ clock }),
    clock,
  });
  const selector: SelectorBuilder = {
    build() {
      const built = inner.build() as DefaultSelector;
      selectors.push(built);
      return built;
    },
  };
  const { target, options } = createChannelOptions({
    target: "discovery:///helloworld",
    discovery: registry,
    selector,
    clock,
    logger: quiet,
  });
  client = greeter(target, options);
  await waitForReady(client);
  await vi.waitFor(() => expect(selectors[0]?.nodes()).toHaveLength(count), { timeout: 5_000 });
  return selectors[0]!;
}

/**
 * Call credentials that hold each call between its pick and its start until `release()`; after it,
 * they let every pick through at once (grpc-js makes them again for each pick of a call).
 */
function heldCredentials() {
  const waiting: (() => void)[] = [];
  let open = false;
  const credentials = grpc.credentials.createFromMetadataGenerator((_options, callback) => {
    if (open) callback(null, new grpc.Metadata());
    else waiting.push(() => callback(null, new grpc.Metadata()));
  });
  return {
    credentials,
    waiting: () => waiting.length,
    release: () => {
      open = true;
      for (const go of waiting.splice(0)) go();
    },
  };
}

const nodeOf = (selector: DefaultSelector, server: TestServer) =>
  selector.nodes().find((n) => n.address === server.address) as EwmaNode;

describe("transport-grpc counts a call from onCallStarted (two-phase picks, real servers)", () => {
  it("never counts a pick whose call is cancelled before it starts: nothing in flight, nothing to sweep", async () => {
    const selector = await dial(1, () => "");
    const node = nodeOf(selector, servers[0]!);
    const held = heldCredentials();
    let call: grpc.ClientUnaryCall | undefined;
    const code = new Promise<number | undefined>((resolve) => {
      call = client!.sayHello({ name: "ada" }, { credentials: held.credentials }, (error) =>
        resolve(codeOf(error)),
      );
    });
    await vi.waitFor(() => expect(held.waiting()).toBe(1)); // picked, not started
    expect(node.callsInFlight()).toBe(0);
    call!.cancel(); // while its credentials are made: grpc-js drops the pick once they come
    held.release();
    expect(await code).toBe(grpc.status.CANCELLED);
    expect(node.callsInFlight()).toBe(0);
    expect(node.stats()).toMatchObject({ latencyMs: undefined, success: 1000 });
    expect(servers[0]!.hits).toBe(0);
    clock.advance(2 * SWEEP_PERIOD_MS); // no sweep has anything to say about them
    expect(selector.health()[0]).toMatchObject({ state: "healthy", consecutiveFailures: 0 });
  });

  it("counts a re-picked call on the node it starts on, and measures its latency from the start", async () => {
    let preferred = "";
    const selector = await dial(2, () => preferred);
    const [a, b] = servers as [TestServer, TestServer];
    preferred = a.address;
    const nodeA = nodeOf(selector, a);
    const nodeB = nodeOf(selector, b);
    b.handle((call, callback) => {
      clock.advance(20); // the server's own time
      callback(null, { message: `hello ${call.request.name}`, server: "s1" });
    });
    const held = heldCredentials();
    const reply = sayHello(client!, "ada", { credentials: held.credentials });
    await vi.waitFor(() => expect(held.waiting()).toBe(1)); // picked a, not started
    expect(nodeA.pickElapsed()).toBe(0);
    expect(nodeA.callsInFlight()).toBe(0);
    await a.close(); // its subchannel leaves READY while the call waits for its credentials
    await vi.waitFor(() => expect(selector.nodes().map((n) => n.address)).toEqual([b.address]));
    clock.advance(500); // the wait before the start is not b's latency
    held.release(); // grpc-js finds a not READY, drops that pick and picks b
    expect((await reply).server).toBe("s1");
    expect(nodeA.callsInFlight()).toBe(0);
    expect(nodeA.stats()).toMatchObject({ latencyMs: undefined, success: 1000 });
    expect(nodeB.callsInFlight()).toBe(0);
    expect(nodeB.stats()).toMatchObject({ latencyMs: 20, success: 1000 });
  });

  it("counts every call of a busy channel exactly: in flight while it runs, none left after", async () => {
    const selector = await dial(2, () => "");
    const [a] = servers as [TestServer, TestServer];
    const release: (() => void)[] = [];
    a.handle((call, callback) => {
      release.push(() => callback(null, { message: `hello ${call.request.name}`, server: "s0" }));
    });
    const calls = Array.from({ length: 8 }, (_, i) => sayHello(client!, `c${i}`));
    await vi.waitFor(() => expect(release).toHaveLength(8));
    expect(nodeOf(selector, a).callsInFlight()).toBe(8);
    for (const go of release) go();
    await Promise.all(calls);
    expect(nodeOf(selector, a).callsInFlight()).toBe(0);
  });
});
