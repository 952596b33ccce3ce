import { experimental } from "@grpc/grpc-js";
import type { ServiceInstance } from "@switchyard/api";
import { createMemoryRegistry, type MemoryRegistry } from "@switchyard/registry-memory";
import { WrappedNode } from "@switchyard/selector-core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { nodeOf } from "../src/channel/endpoint.js";
import { createChannelOptions } from "../src/index.js";
import type { ChannelNode } from "../src/policy/channel-node.js";
import { DiscoveryResolver } from "../src/resolver/resolver.js";
import { quiet } from "./helpers.js";
import { A, B, policyHarness, READY } from "./policy-harness.js";

interface Resolution {
  readonly endpoints: experimental.Endpoint[];
  readonly attributes: Readonly<Record<string, unknown>>;
}

let registry: MemoryRegistry;
let resolver: DiscoveryResolver;
const results: Resolution[] = [];
let wake: (() => void) | undefined;

/** The next endpoint list the resolver hands grpc-js. */
async function next(): Promise<Resolution> {
  while (results.length === 0) await new Promise<void>((resolve) => (wake = resolve));
  return results.shift()!;
}

function instance(id: string, address: string, extra: Partial<ServiceInstance> = {}): ServiceInstance {
  return {
    id,
    name: "helloworld",
    version: "1.0.0",
    metadata: {},
    endpoints: [`grpc://${address}`],
    ...extra,
  };
}

/** The node the endpoint of `address` carries. */
function nodeAt(resolution: Resolution, address: string) {
  const endpoint = resolution.endpoints.find((e) => experimental.endpointToString(e) === `[${address}]`);
  return endpoint === undefined ? undefined : nodeOf(endpoint);
}

beforeEach(() => {
  registry = createMemoryRegistry();
  const { options } = createChannelOptions({
    target: "discovery:///helloworld",
    discovery: registry,
    logger: quiet,
  });
  const listener: experimental.ResolverListener = (endpoints, attributes) => {
    if (endpoints.ok) results.push({ endpoints: endpoints.value, attributes });
    wake?.();
    return true;
  };
  resolver = new DiscoveryResolver({ scheme: "discovery", path: "helloworld" }, listener, options);
  resolver.updateResolution();
});

afterEach(async () => {
  resolver.destroy();
  results.length = 0;
  await registry.close();
});

describe("the discovery resolver hands the policy its nodes on the endpoints", () => {
  it("lists one endpoint per instance, carrying the node with its version and metadata, and no update attribute", async () => {
    await registry.register(instance("a", A, { version: "2.0.0", metadata: { zone: "z1" } }));
    const first = await next();
    expect(first.endpoints.map(experimental.endpointToString)).toEqual([`[${A}]`]);
    expect(nodeAt(first, A)).toMatchObject({ address: A, version: "2.0.0", metadata: { zone: "z1" } });
    expect(Object.keys(first.attributes)).toEqual([experimental.CHANNEL_ARGS_CONFIG_SELECTOR_KEY]);
  });

  it("builds an instance's node once: the policy wraps the very node, and keeps it while the instance is unchanged", async () => {
    const { helper, spy, start } = policyHarness();
    await registry.register(instance("a", A));
    const first = await next();
    start({}, {}, ...first.endpoints);
    helper.at(A).set(READY);
    const wrapped = spy.nodes[0] as ChannelNode;
    expect(wrapped).toBeInstanceOf(WrappedNode);
    expect(wrapped.raw).toBe(nodeAt(first, A));

    await registry.register(instance("b", B));
    const second = await next();
    expect(nodeAt(second, A)).toBe(wrapped.raw);
    start({}, {}, ...second.endpoints);
    helper.at(B).set(READY);
    expect(spy.nodes.find((node) => node.address === A)).toBe(wrapped);
  });
});
