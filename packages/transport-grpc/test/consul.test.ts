import { wrr } from "@switchyard/balancer-wrr";
import { type ConsulRegistry, createConsulRegistry } from "@switchyard/registry-consul";
import { type ConsulDouble, startConsulDouble } from "@switchyard/testkit/consul";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { createChannelOptions } from "../src/index.js";
import { instanceOf, quiet, waitForReady } from "./helpers.js";
import { type GreeterClient, greeter, sayHello, startServers, type TestServer, tally } from "./servers.js";
import { spySelector } from "./spy.js";

let servers: TestServer[] = [];
let double: ConsulDouble;
let consul: ConsulRegistry;
let client: GreeterClient | undefined;

beforeEach(async () => {
  servers = await startServers(2);
  double = await startConsulDouble({ blockingJitter: false });
  consul = createConsulRegistry({
    address: double.address,
    env: {},
    heartbeat: false,
    logger: quiet,
    rateLimit: { burst: 100, intervalMs: 10 },
  });
});

afterEach(async () => {
  client?.close();
  await consul.close();
  await double.close();
  await Promise.all(servers.map((s) => s.close()));
});

it("routes calls end to end through registry-consul (against its HTTP double) and follows a deregistration", async () => {
  await consul.register(instanceOf(servers[0]!, { version: "1.0.0", metadata: { zone: "a" } }));
  await consul.register(instanceOf(servers[1]!, { version: "2.0.0", metadata: { zone: "b" } }));
  const spy = spySelector(wrr());
  const { target, options } = createChannelOptions({
    target: "discovery:///helloworld",
    discovery: consul,
    selector: spy,
    logger: quiet,
  });
  client = greeter(target, options);
  await waitForReady(client);
  await vi.waitFor(() => expect(spy.nodes).toHaveLength(2));
  const nodes = Object.fromEntries(spy.nodes.map((n) => [n.address, [n.version, n.metadata.zone]]));
  expect(nodes).toEqual({ [servers[0]!.address]: ["1.0.0", "a"], [servers[1]!.address]: ["2.0.0", "b"] });
  const served: string[] = [];
  for (let i = 0; i < 10; i++) served.push((await sayHello(client)).server);
  expect(tally(served)).toEqual({ s0: 5, s1: 5 });
  await consul.deregister(instanceOf(servers[0]!));
  await vi.waitFor(() => expect(spy.nodes.map((n) => n.address)).toEqual([servers[1]!.address]));
  for (let i = 0; i < 5; i++) expect((await sayHello(client)).server).toBe("s1");
});
