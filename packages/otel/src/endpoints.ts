import type { ObservableResult } from "@opentelemetry/api";
import type { Node } from "@switchyard/api";
import { NodeAttributes } from "./attributes.js";
import { endpointKey } from "./ejected.js";

/**
 * The endpoints the instrumentation has seen, each with its attributes and its calls in flight
 * (counted here, two integer steps per call, and observed at collection: the SDK records nothing
 * at the pick). A node object finds its endpoint through a weak cache; an endpoint is forgotten once
 * it left a selector's list with nothing in flight, and comes back if a call finds it again.
 */
export class Endpoints {
  private readonly byNode = new WeakMap<Node, NodeAttributes>();
  private readonly byKey = new Map<string, NodeAttributes>();

  /** The endpoint of `node` under `balancer`. */
  of(service: string, node: Node, balancer: string): NodeAttributes {
    let endpoint = this.byNode.get(node);
    if (endpoint === undefined || endpoint.balancer !== balancer || endpoint.service !== service) {
      const key = endpointKey(service, balancer, node.address);
      endpoint = this.byKey.get(key) ?? new NodeAttributes(service, node, balancer, key);
      this.byNode.set(node, endpoint);
    }
    if (endpoint.left) {
      endpoint.left = false;
      this.byKey.set(endpoint.key, endpoint);
    } else if (endpoint.inflight === 0 && !this.byKey.has(endpoint.key)) {
      this.byKey.set(endpoint.key, endpoint);
    }
    return endpoint;
  }

  /** A call of `endpoint` completed. */
  completed(endpoint: NodeAttributes): void {
    endpoint.inflight--;
    if (endpoint.left && endpoint.inflight <= 0) this.byKey.delete(endpoint.key);
  }

  /** `address` left a list: its series goes once nothing is in flight there. */
  leave(service: string, balancer: string, address: string): void {
    const key = endpointKey(service, balancer, address);
    const endpoint = this.byKey.get(key);
    if (endpoint === undefined) return;
    endpoint.left = true;
    if (endpoint.inflight <= 0) this.byKey.delete(key);
  }

  observeInflight(result: ObservableResult): void {
    for (const endpoint of this.byKey.values()) result.observe(endpoint.inflight, endpoint.metric);
  }
}
