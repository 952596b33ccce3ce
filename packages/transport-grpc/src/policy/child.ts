import { connectivityState, type experimental } from "@grpc/grpc-js";
import type { Node } from "@switchyard/api";
import { ChannelNode } from "./channel-node.js";

type Helper = experimental.ChannelControlHelper;

function sameNode(a: Node, b: Node): boolean {
  if (a === b) return true;
  if (
    a.scheme !== b.scheme ||
    a.address !== b.address ||
    a.serviceName !== b.serviceName ||
    a.initialWeight !== b.initialWeight ||
    a.version !== b.version
  ) {
    return false;
  }
  const keys = Object.keys(a.metadata);
  if (keys.length !== Object.keys(b.metadata).length) return false;
  for (const key of keys) if (a.metadata[key] !== b.metadata[key]) return false;
  return true;
}

/**
 * One address of the policy: its subchannel (referenced and watched while the address is listed)
 * and the node the selector sees for it.
 */
export class Child {
  readonly address: string;
  readonly subchannel: experimental.SubchannelInterface;
  node: ChannelNode;
  private readonly helper: Helper;
  private readonly listener: experimental.ConnectivityStateListener;

  constructor(
    helper: Helper,
    address: experimental.SubchannelAddress,
    key: string,
    node: Node,
    options: Record<string, unknown>,
    listener: experimental.ConnectivityStateListener,
  ) {
    this.address = key;
    this.helper = helper;
    this.listener = listener;
    this.subchannel = helper.createSubchannel(address, options);
    this.node = new ChannelNode(node, this.subchannel);
    this.subchannel.ref();
    helper.addChannelzChild(this.subchannel.getChannelzRef());
    this.subchannel.addConnectivityStateListener(listener);
    this.connectIfIdle();
  }

  isReady(): boolean {
    return this.subchannel.getConnectivityState() === connectivityState.READY;
  }

  /** Starts connecting when the subchannel is idle: the policy keeps every address connected. */
  connectIfIdle(): void {
    if (this.subchannel.getConnectivityState() === connectivityState.IDLE) this.subchannel.startConnecting();
  }

  /**
   * Takes a new node for the same address; returns whether it differs from the current one. The
   * discovery resolver hands an unchanged instance's node over as the same object, so this is
   * mostly one identity check; a node that did change gets a new ChannelNode.
   */
  rebind(node: Node): boolean {
    if (sameNode(this.node.raw, node)) return false;
    this.node = new ChannelNode(node, this.subchannel);
    return true;
  }

  /** Stops watching and releases the subchannel (unref last, so no listener runs meanwhile). */
  release(): void {
    this.subchannel.removeConnectivityStateListener(this.listener);
    this.helper.removeChannelzChild(this.subchannel.getChannelzRef());
    this.subchannel.unref();
  }
}
