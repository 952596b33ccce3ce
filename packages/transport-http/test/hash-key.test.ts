import {
  type Balancer,
  InvalidArgumentError,
  type Node,
  type NodeFilter,
  type ServiceInstance,
} from "@switchyard/api";
import { createMemoryRegistry, type MemoryRegistry } from "@switchyard/registry-memory";
import { createSelectorBuilder, direct } from "@switchyard/selector-core";
import { fetch } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createClient, type HttpClient } from "../src/client.js";
import { keyFromHeader } from "../src/hash-key.js";
import { startServers, type TestServer } from "./servers.js";

describe("keyFromHeader", () => {
  const key = keyFromHeader("X-User-Id");
  const context = (headers: unknown) => ({ attributes: { method: "GET", path: "/", headers } });

  it("reads the header from every shape undici gives headers in, case-insensitively", () => {
    expect(key(context({ "x-user-id": "ada" }))).toBe("ada");
    expect(key(context({ "X-USER-ID": "ada" }))).toBe("ada");
    expect(key(context(["accept", "*/*", "X-User-Id", "ada"]))).toBe("ada");
    expect(key(context([["x-user-id", "ada"]]))).toBe("ada");
    expect(key(context(new Map([["x-user-id", "ada"]])))).toBe("ada");
    expect(key(context({ "x-user-id": ["ada", "bob"] }))).toBe("ada, bob");
  });

  it("gives undefined when the request has no such header, or no headers", () => {
    expect(key(context({ accept: "*/*" }))).toBeUndefined();
    expect(key(context(undefined))).toBeUndefined();
    expect(key({})).toBeUndefined();
  });

  it("refuses a name that is not a non-empty string", () => {
    expect(() => keyFromHeader("")).toThrow(InvalidArgumentError);
    expect(() => keyFromHeader(42 as never)).toThrow(
      'transport-http: keyFromHeader expects a header name such as "x-user-id", got number',
    );
  });
});

describe("keyFromHeader over real requests", () => {
  let servers: TestServer[] = [];
  let registry: MemoryRegistry;
  let client: HttpClient | undefined;

  beforeEach(async () => {
    servers = await startServers(3);
    registry = createMemoryRegistry();
    for (const s of servers) {
      const instance: ServiceInstance = {
        id: s.address,
        name: "helloworld",
        version: "1.0.0",
        metadata: {},
        endpoints: [`http://${s.address}`],
      };
      await registry.register(instance);
    }
  });

  afterEach(async () => {
    await client?.close();
    client = undefined;
    await registry.close();
    await Promise.all(servers.map((s) => s.close()));
  });

  it("sees the header of client.request and of fetch through the dispatcher", async () => {
    const target = keyFromHeader("x-route-to");
    const seen: (string | undefined)[] = [];
    // Routes to the node the header names; a balancer reads the same context.
    const pin: NodeFilter = (nodes, ctx) => {
      const wanted = target(ctx);
      seen.push(wanted);
      return wanted === undefined ? nodes : nodes.filter((n: Node) => n.address === wanted);
    };
    client = await createClient({
      endpoint: "discovery:///helloworld",
      discovery: registry,
      block: { timeoutMs: 5000 },
      filters: [pin],
    });
    const wanted = servers[2]!.address;
    for (let i = 0; i < 3; i++) {
      const reply = await client.request("/hello", { headers: { "X-Route-To": wanted } });
      expect(reply.address).toBe(wanted);
      await reply.body.dump();
    }
    const viaFetch = await fetch("http://helloworld/hello", {
      dispatcher: client.dispatcher,
      headers: { "x-route-to": wanted },
    });
    expect(await viaFetch.json()).toMatchObject({ server: "s2" });
    const plain = await client.request("/hello");
    await plain.body.dump();
    expect(seen).toEqual([wanted, wanted, wanted, wanted, undefined]);
  });

  it("hands the request's headers to the balancer when the client has no filter", async () => {
    const key = keyFromHeader("x-route-to");
    const seen: (string | undefined)[] = [];
    // A balancer that routes on the key itself, as consistent hashing does.
    const byKey: Balancer = {
      pick(nodes, context) {
        const wanted = key(context);
        seen.push(wanted);
        const node = nodes.find((n) => n.address === wanted) ?? nodes[0]!;
        return { node, done: node.pick() };
      },
    };
    client = await createClient({
      endpoint: "discovery:///helloworld",
      discovery: registry,
      block: { timeoutMs: 5000 },
      selector: createSelectorBuilder({
        balancer: { name: "by-key", build: () => byKey },
        nodeBuilder: direct(),
      }),
    });
    const wanted = servers[1]!.address;
    for (let i = 0; i < 3; i++) {
      const reply = await client.request("/hello", { headers: { "x-route-to": wanted } });
      expect(reply.address).toBe(wanted);
      await reply.body.dump();
    }
    const viaFetch = await fetch("http://helloworld/hello", {
      dispatcher: client.dispatcher,
      headers: { "x-route-to": wanted },
    });
    expect(await viaFetch.json()).toMatchObject({ server: "s1" });
    expect(seen).toEqual([wanted, wanted, wanted, wanted]);
  });
});
