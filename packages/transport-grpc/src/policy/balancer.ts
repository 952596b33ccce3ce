import { type ChannelOptions, connectivityState, experimental } from "@grpc/grpc-js";
import type { Node, Selector } from "@switchyard/api";
import { errorMessage, warnSafely } from "@switchyard/kit";
import { createNode } from "@switchyard/selector-core";
import { nodeOf } from "../channel/endpoint.js";
import { PLAN_OPTION, POLICY_NAME } from "../channel/names.js";
import { type ChannelPlan, defaultPlan, planOf } from "../channel/plan.js";
import type { ChannelNode } from "./channel-node.js";
import { Child } from "./child.js";
import { Limbo } from "./limbo.js";
import { SwitchyardPicker } from "./picker.js";
import { SwitchyardPolicyConfig } from "./policy-config.js";
import { ThrowReport } from "./report.js";

type State = connectivityState;

/**
 * The grpc-js load-balancing policy that delegates every pick to a Switchyard selector. It keeps
 * one subchannel per address (connecting idle ones again at once), gives the selector the nodes
 * of the READY subchannels (rebuilt when a state changes, never per pick), and reports READY while
 * one is READY, CONNECTING while some connect, and TRANSIENT_FAILURE (with the last connection
 * error) when none can. A node is the discovery resolver's own node, carried on its endpoint and
 * wrapped once with its subchannel; other resolvers' addresses get a node with no version or
 * metadata.
 */
export class SwitchyardLoadBalancer implements experimental.LoadBalancer {
  private readonly helper: experimental.ChannelControlHelper;
  private readonly children = new Map<string, Child>();
  private readonly onState: experimental.ConnectivityStateListener;
  private plan: ChannelPlan | undefined = undefined;
  private selector: Selector | undefined = undefined;
  private picker: SwitchyardPicker | undefined = undefined;
  private limbo: Limbo | undefined = undefined;
  private ready: readonly ChannelNode[] = [];
  private state: State = connectivityState.IDLE;
  private lastError = "";
  private note = "";
  private destroyed = false;

  constructor(helper: experimental.ChannelControlHelper) {
    this.helper = helper;
    this.onState = (_subchannel, previous, next, _keepalive, error) => this.changed(previous, next, error);
  }

  updateAddressList(
    endpoints: experimental.StatusOr<experimental.Endpoint[]>,
    config: experimental.TypedLoadBalancingConfig,
    options: ChannelOptions,
    note: string,
  ): boolean {
    if (!(config instanceof SwitchyardPolicyConfig) || this.destroyed) return false;
    this.note = note;
    const plan = this.start(options);
    if (plan === undefined) return true;
    if (!endpoints.ok) {
      if (this.children.size === 0) {
        const details = endpoints.error.details;
        this.publish(
          connectivityState.TRANSIENT_FAILURE,
          new experimental.UnavailablePicker(endpoints.error),
          details,
        );
      }
      return true;
    }
    const listed = new Set<string>();
    for (const endpoint of endpoints.value) {
      const node = nodeOf(endpoint);
      if (node !== undefined) {
        // The discovery resolver's endpoint: one address, and the node built for it.
        this.list(endpoint.addresses[0]!, node.address, node, options, listed);
        continue;
      }
      for (const address of endpoint.addresses) {
        const key = experimental.subchannelAddressToString(address);
        const bare = createNode({ scheme: "grpc", address: key, serviceName: plan.label });
        this.list(address, key, bare, options, listed);
      }
    }
    for (const [key, child] of this.children) {
      if (listed.has(key)) continue;
      this.children.delete(key);
      child.release();
    }
    this.refresh(true);
    return true;
  }

  /** Lists one address: a child for it when new, its node updated when it changed. */
  private list(
    address: experimental.SubchannelAddress,
    key: string,
    node: Node,
    options: ChannelOptions,
    listed: Set<string>,
  ): void {
    if (listed.has(key)) return;
    listed.add(key);
    const child = this.children.get(key);
    if (child === undefined) {
      this.children.set(key, new Child(this.helper, address, key, node, options, this.onState));
    } else {
      child.rebind(node);
    }
  }

  exitIdle(): void {
    for (const child of this.children.values()) child.connectIfIdle();
  }

  resetBackoff(): void {
    // Subchannels own their connection backoff; the policy keeps none.
  }

  destroy(): void {
    this.destroyed = true;
    for (const child of this.children.values()) child.release();
    this.children.clear();
    this.limbo?.close();
    // The selector lets go of its nodes: its health timers stop, and what watches it (the
    // diagnostics channels, @switchyard/otel) sees every node removed.
    try {
      this.selector?.apply([]);
    } catch (error) {
      warnSafely(
        this.plan?.logger,
        `${POLICY_NAME}: the selector refused the empty list when the channel let go of it`,
        {
          error,
        },
      );
    }
  }

  getTypeName(): string {
    return POLICY_NAME;
  }

  /**
   * Builds the selector, picker and limbo of the first update. A builder that throws (user code) is
   * reported and fails calls fast with UNAVAILABLE saying so; the next update tries again.
   */
  private start(options: ChannelOptions): ChannelPlan | undefined {
    if (this.plan !== undefined) return this.plan;
    const plan = planOf(options, PLAN_OPTION) ?? defaultPlan("this channel");
    let selector: Selector;
    try {
      selector = plan.selector.build();
    } catch (error) {
      const details =
        `transport-grpc: the selector builder of "${plan.label}" threw (${errorMessage(error)}); ` +
        "calls fail until a resolver update builds it: fix the SelectorBuilder given to createChannelOptions";
      warnSafely(plan.logger, details, { service: plan.label, error });
      this.publish(
        connectivityState.TRANSIENT_FAILURE,
        new experimental.UnavailablePicker({ details }),
        details,
      );
      return undefined;
    }
    const limbo = new Limbo(plan.clock);
    this.plan = plan;
    this.selector = selector;
    this.limbo = limbo;
    const doneThrows = new ThrowReport(
      plan.logger,
      plan.label,
      "the selector's done callback",
      "the call's status and reply went to the caller untouched, but the balancer may not have " +
        "recorded the outcome: fix the selector (or the isFailure predicate it was given)",
    );
    this.picker = new SwitchyardPicker(selector, plan.filters, limbo, doneThrows);
    return plan;
  }

  private changed(previous: State, next: State, error: string | undefined): void {
    if (this.destroyed) return;
    if (error) this.lastError = error;
    if (next === connectivityState.IDLE) this.exitIdle();
    const wasReady = previous === connectivityState.READY;
    const isReady = next === connectivityState.READY;
    if (wasReady && !isReady) this.helper.requestReresolution();
    this.refresh(wasReady !== isReady);
  }

  /** Rebuilds the READY node list when asked, and publishes the policy's state. */
  private refresh(readyChanged: boolean): void {
    if (readyChanged) this.applyReady();
    let connecting = false;
    for (const child of this.children.values()) {
      const state = child.subchannel.getConnectivityState();
      if (state === connectivityState.CONNECTING || state === connectivityState.IDLE) connecting = true;
    }
    if (this.ready.length > 0) {
      // Calls the filters left without a READY node wait while others connect; when the last one
      // settles, publishing again makes grpc-js pick them anew (and fail them if still nothing fits).
      const picker = this.picker!;
      const settled = picker.settling && !connecting;
      picker.settling = connecting;
      if (readyChanged || settled || this.state !== connectivityState.READY) {
        this.publish(connectivityState.READY, picker, null);
      }
      return;
    }
    if (connecting) {
      if (this.state !== connectivityState.CONNECTING) {
        this.publish(connectivityState.CONNECTING, new experimental.QueuePicker(this), null);
      }
      return;
    }
    const details =
      this.children.size === 0
        ? `${POLICY_NAME}: no address to connect to for "${this.plan!.label}" (${this.note || "no resolution note"})`
        : `${POLICY_NAME}: no connection to any of the ${this.children.size} address(es) of ` +
          `"${this.plan!.label}". Last error: ${this.lastError || "none reported"}`;
    this.publish(
      connectivityState.TRANSIENT_FAILURE,
      new experimental.UnavailablePicker({ details }),
      details,
    );
  }

  private applyReady(): void {
    const ready: ChannelNode[] = [];
    for (const child of this.children.values()) if (child.isReady()) ready.push(child.node);
    this.ready = ready;
    try {
      this.selector!.apply(ready);
    } catch (error) {
      warnSafely(
        this.plan!.logger,
        `${POLICY_NAME}: the selector of "${this.plan!.label}" refused a node list of ${ready.length} READY ` +
          "subchannel(s); the list it took last keeps serving: fix the selector's apply()",
        { service: this.plan!.label, error },
      );
    }
  }

  private publish(state: State, picker: experimental.Picker, error: string | null): void {
    this.state = state;
    this.helper.updateState(state, picker, error);
  }
}
