import type { ServiceInstance } from "@switchyard/api";
import { nodeFromInstance, parseEndpoint, type ResolverUpdate } from "@switchyard/selector-core";

export { endpointsOf } from "../src/channel/endpoint.js";

/** A `ResolverUpdate` as the shared resolver loop hands it over, one endpoint per instance. */
export function updateOf(instances: readonly ServiceInstance[]): ResolverUpdate {
  const endpoints = instances.map((instance) => {
    const parsed = parseEndpoint(instance.endpoints[0]!);
    return { ...parsed, instance, node: nodeFromInstance(parsed.scheme, parsed.address, instance) };
  });
  return { nodes: endpoints.map((e) => e.node), endpoints };
}
