// The selector's `node:diagnostics_channel` events: what was picked, how each call ended, which
// nodes were ejected and returned, which lists were applied, and which selects failed. Nothing here
// runs, reads the clock or allocates unless the channel has a subscriber: every publisher checks
// `hasSubscribers` first. A message is built for one publish and not kept by the selector;
// subscribers copy what they keep.

import { channel } from "node:diagnostics_channel";
import type {
  Clock,
  DoneFunc,
  DoneInfo,
  EjectionReason,
  Node,
  SelectContext,
  Selector,
} from "@switchyard/api";
import { isNodeFailure } from "./failure.js";

/** A node was picked for a call ({@link PickMessage}). */
export const PICK_CHANNEL = "switchyard:pick";
/** A picked call completed: its `done` was called ({@link DoneMessage}). */
export const DONE_CHANNEL = "switchyard:done";
/** The health layer ejected a node or returned it to the candidates ({@link HealthMessage}). */
export const HEALTH_CHANNEL = "switchyard:health";
/** A selector received a new node list ({@link ApplyMessage}). */
export const APPLY_CHANNEL = "switchyard:apply";
/** A select threw: no available node, a filter error, a bad filter list ({@link SelectErrorMessage}). */
export const ERROR_CHANNEL = "switchyard:error";

const pickChannel = channel(PICK_CHANNEL);
const doneChannel = channel(DONE_CHANNEL);
const healthChannel = channel(HEALTH_CHANNEL);
const applyChannel = channel(APPLY_CHANNEL);
const errorChannel = channel(ERROR_CHANNEL);

/** Published on `switchyard:pick`, synchronously inside `select` (the caller's context is active). */
export interface PickMessage {
  /** The selector that picked. */
  readonly selector: Selector;
  /** The node's service name (`""` when it has none). */
  readonly service: string;
  /** The node picked: the object that was applied. */
  readonly node: Node;
  /** The balancer's name (`"wrr"`, `"p2c"`, `"random"`, …). */
  readonly balancer: string;
  /** How many nodes the balancer chose among, after the filters (1 for a health probe). */
  readonly candidates: number;
  /** The select's `attributes` (`SelectContext.attributes`), or `undefined`. */
  readonly attributes: Readonly<Record<string, unknown>> | undefined;
}

/** Published on `switchyard:done` when the `done` of a call picked while it had a subscriber is called (once). */
export interface DoneMessage {
  readonly selector: Selector;
  readonly service: string;
  /** The node the call went to. */
  readonly node: Node;
  readonly balancer: string;
  /** What the transport passed to `done` (`undefined` when nothing). */
  readonly info: DoneInfo | undefined;
  /**
   * Whether the call counted as a failure of its node: `isNodeFailure(info)`, or, with endpoint
   * health on, the node builder's `isFailure` counted it.
   */
  readonly failure: boolean;
  /** From the pick to the `done`, ms, on the selector's clock. */
  readonly durationMs: number;
}

/** Published on `switchyard:health` when a node is ejected or comes back. */
export interface HealthMessage {
  readonly selector: Selector;
  readonly service: string;
  readonly node: Node;
  readonly balancer: string;
  /** `"ejected"`: it left the candidates; `"returned"`: it is a candidate again. */
  readonly event: "ejected" | "returned";
  /** Why it was (or had been) ejected. */
  readonly reason: EjectionReason;
  /** How many times it was ejected since its address joined (this ejection included). */
  readonly ejections: number;
  /** For `"ejected"`: how long it stays out before its probe, ms; for `"returned"`: how long it was out, ms. */
  readonly durationMs: number;
}

/** Published on `switchyard:apply` when `apply` accepted a list (not when it threw). */
export interface ApplyMessage {
  readonly selector: Selector;
  /** The service of the new list (of the previous one when the new one is empty). */
  readonly service: string;
  readonly balancer: string;
  /** How many nodes the new list holds. */
  readonly count: number;
  /** The nodes whose address was not in the previous list. */
  readonly added: readonly Node[];
  /** The nodes of the previous list whose address is not in the new one. */
  readonly removed: readonly Node[];
}

/** Published on `switchyard:error` when `select` throws, before the error reaches the caller. */
export interface SelectErrorMessage {
  readonly selector: Selector;
  /** The service of the current list (`""` when none is known yet). */
  readonly service: string;
  readonly balancer: string;
  /** The error `select` throws (`NoAvailableNodeError`, `FilterError`, `InvalidArgumentError`). */
  readonly error: unknown;
  readonly attributes: Readonly<Record<string, unknown>> | undefined;
}

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
