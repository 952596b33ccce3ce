import { experimental } from "@grpc/grpc-js";
import type { Node } from "@switchyard/api";
import type { ResolverUpdate } from "@switchyard/selector-core";

// Under Symbol.for, so that a resolver and a policy from two copies of this package agree.
const NODE = Symbol.for("switchyard.transport-grpc.endpoint-node");

/**
 * An endpoint as the discovery resolver hands it to grpc-js: the address of one node, and the node.
 * grpc-js's `Endpoint` declares addresses only (no per-endpoint attributes in 1.14), but a channel
 * hands its policy the very endpoint objects its resolver listed: the resolving load balancer, the
 * child handler and outlier detection forward the list as they got it (grpc-js's xds policies ride
 * their localities on endpoints the same way). So the node travels on its endpoint and the policy
 * reads it back with one property access: no attribute beside the list, no match by address.
 */
class NodeEndpoint implements experimental.Endpoint {
  readonly addresses: experimental.SubchannelAddress[];
  readonly [NODE]: Node;

  constructor(node: Node) {
    const { host, port } = experimental.splitHostPort(node.address) ?? { host: node.address };
    this.addresses = [{ host, port: port ?? 0 }];
    this[NODE] = node;
  }
}

/** The endpoints of a resolver update, one per node, each carrying its node (the same object). */
export function endpointsOf(update: ResolverUpdate): experimental.Endpoint[] {
  const { nodes } = update;
  const endpoints: experimental.Endpoint[] = new Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) endpoints[i] = new NodeEndpoint(nodes[i]!);
  return endpoints;
}

/**
 * The node an endpoint of the discovery resolver carries; `undefined` for endpoints of any other
 * resolver (DNS, `ipv4:` of direct targets), whose nodes the policy builds from the address.
 */
export function nodeOf(endpoint: experimental.Endpoint): Node | undefined {
  return (endpoint as { readonly [NODE]?: Node })[NODE];
}
