import { status } from "@grpc/grpc-js";
import { type Discovery, InvalidArgumentError, RegistryError, type Watcher } from "@switchyard/api";
import { createMemoryRegistry, type MemoryRegistry } from "@switchyard/registry-memory";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createChannelOptions, registerSwitchyard } from "../src/index.js";
import { codeOf, instanceOf, quiet, waitForReady } from "./helpers.js";
import { type GreeterClient, greeter, sayHello, startServers, type TestServer, tally } from "./servers.js";
import { spySelector } from "./spy.js";

let servers: TestServer[] = [];
let registry: MemoryRegistry;
const clients: GreeterClient[] = [];

function track(client: GreeterClient): GreeterClient {
  clients.push(client);
  return client;
}

beforeEach(async () => {
  servers = await startServers(2);
  registry = createMemoryRegistry();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await registry.close();
  await Promise.all(servers.map((s) => s.close()));
});

describe("createChannelOptions", () => {
  it("dials a direct host:port target through the same selector, with no discovery", async () => {
    const spy = spySelector((await import("@switchyard/balancer-wrr")).wrr());
    const { target, options } = createChannelOptions({ target: servers[1]!.address, selector: spy });
    expect(target).toBe(servers[1]!.address);
    const client = track(greeter(target, options));
    expect(tally(await Promise.all([1, 2, 3].map(() => sayHello(client).then((r) => r.server))))).toEqual({
      s1: 3,
    });
    expect(spy.nodes).toMatchObject([{ scheme: "grpc", address: servers[1]!.address }]);
    await vi.waitFor(() => expect(spy.done).toHaveLength(3));
  });

  it("keeps the method configs of a grpc.service_config channel option (a 50 ms timeout here)", async () => {
    await registry.register(instanceOf(servers[0]!));
    servers[0]!.handle((_, callback) =>
      setTimeout(() => callback(null, { message: "late", server: "s0" }), 300),
    );
    const serviceConfig = {
      loadBalancingConfig: [{ round_robin: {} }],
      methodConfig: [{ name: [{ service: "helloworld.Greeter", method: "SayHello" }], timeout: "0.05s" }],
    };
    const { target, options } = createChannelOptions({
      target: "discovery:///helloworld",
      discovery: registry,
      logger: quiet,
      channelOptions: { "grpc.service_config": JSON.stringify(serviceConfig) },
    });
    expect(JSON.parse(options["grpc.service_config"] as string).loadBalancingConfig).toEqual([
      { switchyard: {} },
    ]);
    const client = track(greeter(target, options));
    await waitForReady(client);
    const started = Date.now();
    await expect(sayHello(client)).rejects.toMatchObject({ code: status.DEADLINE_EXCEEDED });
    expect(Date.now() - started).toBeLessThan(250);
  });

  it("fails calls fast with UNAVAILABLE while the registry fails before any instance was found", async () => {
    const failing: Discovery = {
      getService: async () => [],
      watch(): Watcher {
        const error = new RegistryError("registry: connection refused");
        return {
          next: () => Promise.reject(error),
          stop: async () => {},
          [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }),
        };
      },
    };
    const { target, options } = createChannelOptions({
      target: "discovery:///helloworld",
      discovery: failing,
      logger: quiet,
    });
    const client = track(greeter(target, options));
    const error = await sayHello(client).catch((e: unknown) => e);
    expect(codeOf(error)).toBe(status.UNAVAILABLE);
    expect((error as Error).message).toMatch(/watching "helloworld" failed .*connection refused/);
  });

  it("fails calls with UNAVAILABLE on a discovery:/// channel built without createChannelOptions", async () => {
    registerSwitchyard();
    const client = track(greeter("discovery:///helloworld"));
    const error = await sayHello(client).catch((e: unknown) => e);
    expect(codeOf(error)).toBe(status.UNAVAILABLE);
    expect((error as Error).message).toMatch(/has no discovery; build its options with createChannelOptions/);
  });

  it("refuses a discovery target without a service name when the channel is created", () => {
    registerSwitchyard();
    expect(() => greeter("discovery:///")).toThrow(/names no service/);
  });

  it.each([
    [{ target: "discovery:///helloworld" }, /needs a discovery/],
    [{ target: "discovery:///h", discovery: {} as never }, /discovery must be a Discovery/],
    [{ target: "discovery://x", discovery: { watch() {} } as never }, /names no service/],
    [{ target: "" }, /target must be/],
    [{ target: "h:1", selector: {} as never }, /selector must be a SelectorBuilder/],
    [{ target: "h:1", filters: ["x"] as never }, /filters must be functions/],
    [{ target: "h:1", subsetSize: -1 }, /subsetSize must be a non-negative integer/],
    [{ target: "h:1", channelOptions: { "grpc.service_config": "{" } }, /not valid JSON/],
    [{ target: "h:1", channelOptions: { "grpc.service_config": "[]" } }, /must be a JSON object/],
    [{ target: "h:1", logger: {} as never }, /logger must have a warn/],
  ])("rejects bad options %j with InvalidArgumentError", (options, message) => {
    expect(() => createChannelOptions(options as never)).toThrow(InvalidArgumentError);
    expect(() => createChannelOptions(options as never)).toThrow(message);
  });
});
