import { Metadata } from "@grpc/grpc-js";
import type { Node, NodeFilter } from "@switchyard/api";
import { createMemoryRegistry, type MemoryRegistry } from "@switchyard/registry-memory";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createChannelOptions } from "../src/channel-options.js";
import { keyFromMetadata } from "../src/hash-key.js";
import { instanceOf, quiet, waitForReady } from "./helpers.js";
import { type GreeterClient, greeter, startServers, type TestServer } from "./servers.js";

describe("keyFromMetadata", () => {
  const context = (metadata: Metadata) => ({
    attributes: { method: "/helloworld.Greeter/SayHello", metadata },
  });

  it("reads the first value of the key, lower-casing the name it is given, binary values in base64", () => {
    const metadata = new Metadata();
    metadata.add("x-user-id", "ada");
    metadata.add("x-user-id", "bob");
    metadata.set("x-tenant-bin", Buffer.from([1, 2, 3]));
    expect(keyFromMetadata("X-User-Id")(context(metadata))).toBe("ada");
    expect(keyFromMetadata("x-tenant-bin")(context(metadata))).toBe("AQID");
  });

  it("gives undefined when the call has no such key, or no metadata", () => {
    expect(keyFromMetadata("x-user-id")(context(new Metadata()))).toBeUndefined();
    expect(keyFromMetadata("x-user-id")({})).toBeUndefined();
  });

  it("refuses a key that is not a non-empty string", () => {
    expect(() => keyFromMetadata("")).toThrow(
      'transport-grpc: keyFromMetadata expects a metadata key such as "x-user-id", got ""',
    );
    expect(() => keyFromMetadata(undefined as never)).toThrow(/got undefined/);
  });
});

describe("keyFromMetadata over real calls", () => {
  let servers: TestServer[] = [];
  let registry: MemoryRegistry;
  let client: GreeterClient | undefined;

  beforeEach(async () => {
    servers = await startServers(3);
    registry = createMemoryRegistry();
    for (const s of servers) await registry.register(instanceOf(s));
  });

  afterEach(async () => {
    client?.close();
    await registry.close();
    await Promise.all(servers.map((s) => s.close()));
  });

  it("sees the metadata a call is made with", async () => {
    const target = keyFromMetadata("x-route-to");
    const pin: NodeFilter = (nodes, ctx) => {
      const wanted = target(ctx);
      return wanted === undefined ? nodes : nodes.filter((n: Node) => n.address === wanted);
    };
    const { target: address, options } = createChannelOptions({
      target: "discovery:///helloworld",
      discovery: registry,
      logger: quiet,
      filters: [pin],
    });
    client = greeter(address, options);
    await waitForReady(client);
    const wanted = servers[1]!.address;
    for (let i = 0; i < 3; i++) {
      const metadata = new Metadata();
      metadata.set("x-route-to", wanted);
      const reply = await new Promise<{ server: string }>((resolve, reject) =>
        client!.sayHello({ name: "k" }, metadata, { deadline: Date.now() + 5000 }, (e, r) =>
          e ? reject(e) : resolve(r!),
        ),
      );
      expect(reply.server).toBe("s1");
    }
  });
});
