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

  /**
   * The endpoint of `node` under `balancer`, for what happened to a call already picked (its
   * completion, a health event): it does not bring back an endpoint that left.
   */
  lookup(service: string, node: Node, balancer: string): NodeAttributes {
    let endpoint = this.byNode.get(node);
    if (endpoint === undefined || endpoint.balancer !== balancer || endpoint.service !== service) {
      const key = endpointKey(service, balancer, node.address);
      endpoint = this.byKey.get(key) ?? new NodeAttributes(service, node, balancer, key);
      this.byNode.set(node, endpoint);
    }
    return endpoint;
  }

  /** The endpoint of `node` under `balancer`, for a pick: a call there makes it current again. */
  of(service: string, node: Node, balancer: string): NodeAttributes {
    const endpoint = this.lookup(service, node, balancer);
    if (endpoint.left) {
      endpoint.left = false;
      this.byKey.set(endpoint.key, endpoint);
    } else if (endpoint.inflight === 0 && !this.byKey.has(endpoint.key)) {
      this.byKey.set(endpoint.key, endpoint);
    }
    return endpoint;
  }

  /**
   * A call of `endpoint` completed. An endpoint that left with this call in flight is observed at 0
   * once more (the next collection), then forgotten.
   */
  completed(endpoint: NodeAttributes): void {
    // A completion of a call picked before the instrumentation was enabled was never counted.
    if (endpoint.inflight > 0) endpoint.inflight--;
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
    for (const endpoint of this.byKey.values()) {
      result.observe(endpoint.inflight, endpoint.metric);
      // Gone from every list and nothing in flight: this was its last observation.
      if (endpoint.left && endpoint.inflight <= 0) this.byKey.delete(endpoint.key);
    }
  }

  /** How many endpoints are kept (for tests: those that left go once observed idle). */
  get size(): number {
    return this.byKey.size;
  }
}
