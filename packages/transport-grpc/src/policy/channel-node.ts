import type { experimental } from "@grpc/grpc-js";
import type { Metadata, Node } from "@switchyard/api";

/**
 * The node a selector gets for one subchannel: the resolver's node (scheme, address, version,
 * metadata, weight) plus the subchannel it stands for, so that the picker turns the selector's
 * answer into a subchannel with one field read.
 */
export class ChannelNode implements Node {
  readonly scheme: string;
  readonly address: string;
  readonly serviceName: string;
  readonly initialWeight: number | undefined;
  readonly version: string;
  readonly metadata: Metadata;
  /** The subchannel calls to this node go through. */
  readonly subchannel: experimental.SubchannelInterface;
  /** The resolver's node this one copies. */
  readonly source: Node;

  constructor(source: Node, subchannel: experimental.SubchannelInterface) {
    this.scheme = source.scheme;
    this.address = source.address;
    this.serviceName = source.serviceName;
    this.initialWeight = source.initialWeight;
    this.version = source.version;
    this.metadata = source.metadata;
    this.subchannel = subchannel;
    this.source = source;
    Object.freeze(this);
  }
}
