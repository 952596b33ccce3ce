import type { experimental } from "@grpc/grpc-js";
import type { Node } from "@switchyard/api";
import { WrappedNode } from "@switchyard/selector-core";

/**
 * The node a selector gets for one subchannel: the resolver's node itself as `raw` (scheme,
 * address, version, metadata and weight are read from it, none copied) plus the subchannel it
 * stands for, so that the picker turns the selector's answer into a subchannel with one field read.
 * Frozen: a node that changes is a new ChannelNode, so the selector sees the change in `apply`.
 */
export class ChannelNode extends WrappedNode {
  declare readonly raw: Node;
  /** The subchannel calls to this node go through. */
  readonly subchannel: experimental.SubchannelInterface;

  constructor(raw: Node, subchannel: experimental.SubchannelInterface) {
    super(raw);
    this.subchannel = subchannel;
    Object.freeze(this);
  }
}
