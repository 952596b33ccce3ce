import type { Metadata, Node } from "@switchyard/api";

/**
 * A node that stands for another one and reads every `Node` field from it, copying none: the one
 * node representation that node builders and transports extend. The weighted nodes (`DirectNode`,
 * `EwmaNode`) extend it to add balancing state, and a transport extends it to hang its own data on
 * a node (the gRPC policy's node of a subchannel). Pointing it at a newer version of its node (the
 * same address, changed metadata) is one assignment to `raw`; the fields follow.
 */
export class WrappedNode implements Node {
  /** The node this one stands for; `WeightedNode.raw` when the subclass is a weighted node. */
  raw: Node;

  constructor(raw: Node) {
    this.raw = raw;
  }

  get scheme(): string {
    return this.raw.scheme;
  }

  get address(): string {
    return this.raw.address;
  }

  get serviceName(): string {
    return this.raw.serviceName;
  }

  get initialWeight(): number | undefined {
    return this.raw.initialWeight;
  }

  get version(): string {
    return this.raw.version;
  }

  get metadata(): Metadata {
    return this.raw.metadata;
  }
}
