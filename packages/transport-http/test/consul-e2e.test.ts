import { createConsulRegistry } from "@switchyard/registry-consul";
import { startConsulDouble } from "@switchyard/testkit/consul";
import { afterEach, expect, it, vi } from "vitest";
import { createClient } from "../src/client.js";
import { startServers, type TestServer } from "./servers.js";

let cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

it("routes end to end through registry-consul against the Consul HTTP double", async () => {
  const consul = await startConsulDouble();
  cleanup.push(() => consul.close());
  const servers: TestServer[] = await startServers(2);
  cleanup.push(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  const registry = createConsulRegistry({ address: consul.address, waitMs: 1000, logger: { warn() {} } });
  cleanup.push(() => registry.close());
  const instances = servers.map((s, i) => ({
    id: `hello-${i}`,
    name: "helloworld",
    version: "1.0.0",
    metadata: { weight: String(i + 1) },
    endpoints: [`http://${s.address}`],
  }));
  for (const instance of instances) await registry.register(instance);

  const client = await createClient({
    endpoint: "discovery:///helloworld",
    discovery: registry,
    block: { timeoutMs: 5000 },
  });
  cleanup.push(() => client.destroy());

  // Weights 1 and 2 from the instances' metadata, through Consul's Meta: wrr gives 10 and 20 of 30.
  const served: string[] = [];
  for (let i = 0; i < 30; i++) {
    const reply = await client.request("/hello");
    served.push(reply.address);
    await reply.body.dump();
  }
  expect(served.filter((a) => a === servers[0]!.address)).toHaveLength(10);
  expect(served.filter((a) => a === servers[1]!.address)).toHaveLength(20);

  // Deregistering one instance in Consul moves all traffic to the other.
  await registry.deregister(instances[1]!);
  await vi.waitFor(
    async () => {
      const reply = await client.request("/hello");
      await reply.body.dump();
      expect(reply.address).toBe(servers[0]!.address);
    },
    { timeout: 5000 },
  );
  for (let i = 0; i < 5; i++) {
    const reply = await client.request("/hello");
    await reply.body.dump();
    expect(reply.address).toBe(servers[0]!.address);
  }
});
