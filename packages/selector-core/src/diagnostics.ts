// The selector's `node:diagnostics_channel` events: what was picked, how each call ended, which
// nodes were ejected and returned, which lists were applied, and which selects failed. Nothing here
// runs, reads the clock or allocates unless the channel has a subscriber: every publisher checks
// `hasSubscribers` first. A message is built for one publish and not kept by the selector;
// subscribers copy what they keep.

import { channel } from "node:diagnostics_channel";
import {
  APPLY_CHANNEL,
  type ApplyMessage,
  type Clock,
  DONE_CHANNEL,
  type DoneFunc,
  type DoneInfo,
  type DoneMessage,
  type EjectionReason,
  ERROR_CHANNEL,
  HEALTH_CHANNEL,
  type HealthMessage,
  type Node,
  PICK_CHANNEL,
  type PickMessage,
  type SelectContext,
  type SelectErrorMessage,
  type Selector,
} from "@switchyard/api";
import { isNodeFailure } from "./failure.js";

// The names and messages are the api's contract; re-exported here, where they are published.
export {
  APPLY_CHANNEL,
  type ApplyMessage,
  DONE_CHANNEL,
  type DoneMessage,
  ERROR_CHANNEL,
  HEALTH_CHANNEL,
  type HealthMessage,
  PICK_CHANNEL,
  type PickMessage,
  type SelectErrorMessage,
};

const pickChannel = channel(PICK_CHANNEL);
const doneChannel = channel(DONE_CHANNEL);
const healthChannel = channel(HEALTH_CHANNEL);
const applyChannel = channel(APPLY_CHANNEL);
const errorChannel = channel(ERROR_CHANNEL);

/** Whether any select-time channel has a subscriber: the selector's one check per select. */
export function selectObserved(): boolean {
  return pickChannel.hasSubscribers || doneChannel.hasSubscribers || errorChannel.hasSubscribers;
}

/** The health record fields the done event reads (the failures it counted). */
interface FailureCount {
  readonly failures: number;
}

/** What the events of one selector carry besides the call's own fields. */
export class SelectorTap {
  readonly selector: Selector;
  readonly balancer: string;
  readonly clock: Clock;
  /** The service of the last non-empty list applied. */
  service = "";
  /** The candidates of the select in progress (1 unless the balancer picked among more). */
  candidates = 1;
  /** The health record of an address, when the selector keeps them. */
  private readonly recordOf: (address: string) => FailureCount | undefined;

  constructor(
    selector: Selector,
    balancer: string,
    clock: Clock,
    recordOf: (address: string) => FailureCount | undefined,
  ) {
    this.selector = selector;
    this.balancer = balancer;
    this.clock = clock;
    this.recordOf = recordOf;
  }

  /** Publishes the pick and, when `switchyard:done` has a subscriber, returns a `done` that publishes it. */
  picked(node: Node, done: DoneFunc, context: SelectContext | undefined): DoneFunc {
    const attributes = context?.attributes;
    if (pickChannel.hasSubscribers) {
      const message: PickMessage = {
        selector: this.selector,
        service: node.serviceName,
        node,
        balancer: this.balancer,
        candidates: this.candidates,
        attributes,
      };
      pickChannel.publish(message);
    }
    return doneChannel.hasSubscribers ? this.timed(node, done) : done;
  }

  /** A select threw `error`. */
  failed(error: unknown, context: SelectContext | undefined): void {
    if (!errorChannel.hasSubscribers) return;
    const message: SelectErrorMessage = {
      selector: this.selector,
      service: this.service,
      balancer: this.balancer,
      error,
      attributes: context?.attributes,
    };
    errorChannel.publish(message);
  }

  /** A `done` that publishes once, after the node's own. */
  private timed(node: Node, done: DoneFunc): DoneFunc {
    const start = this.clock.now();
    const record = this.recordOf(node.address);
    let called = false;
    return (info?: DoneInfo) => {
      if (called) return;
      called = true;
      const failures = record?.failures ?? 0;
      done(info);
      if (!doneChannel.hasSubscribers) return;
      const message: DoneMessage = {
        selector: this.selector,
        service: node.serviceName,
        node,
        balancer: this.balancer,
        info,
        failure: isNodeFailure(info) || (record !== undefined && record.failures > failures),
        durationMs: this.clock.now() - start,
      };
      doneChannel.publish(message);
    };
  }

  /** A list was applied over `previous` (the addresses of the list before, to their nodes). */
  applied(previous: ReadonlyMap<string, { readonly raw: Node }>, nodes: readonly Node[]): void {
    if (nodes.length > 0) this.service = nodes[0]!.serviceName;
    if (!applyChannel.hasSubscribers) return;
    const kept = new Set<string>();
    const added: Node[] = [];
    for (const node of nodes) {
      kept.add(node.address);
      if (!previous.has(node.address)) added.push(node);
    }
    const removed: Node[] = [];
    for (const [address, node] of previous) if (!kept.has(address)) removed.push(node.raw);
    const message: ApplyMessage = {
      selector: this.selector,
      service: this.service,
      balancer: this.balancer,
      count: nodes.length,
      added,
      removed,
    };
    applyChannel.publish(message);
  }
}

/** What a health event reads of the node's health record. */
interface HealthFields {
  readonly node: { readonly raw: Node } | undefined;
  readonly reason: EjectionReason | undefined;
  readonly ejections: number;
}

/** Publishes a health transition of `record`'s node (the health layer's one call per transition). */
export function publishHealth(
  selector: Selector | undefined,
  balancer: string,
  event: HealthMessage["event"],
  record: HealthFields,
  durationMs: number,
): void {
  const node = record.node?.raw;
  if (!healthChannel.hasSubscribers || selector === undefined || node === undefined) return;
  const message: HealthMessage = {
    selector,
    service: node.serviceName,
    node,
    balancer,
    event,
    reason: record.reason ?? "consecutive-failures",
    ejections: record.ejections,
    durationMs,
  };
  healthChannel.publish(message);
}
