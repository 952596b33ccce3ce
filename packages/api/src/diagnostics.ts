// The diagnostics channels of a selector (`node:diagnostics_channel`): their names, which are
// binding (observability tools subscribe to them), and the messages published on them. The
// default selector of `@switchyard/selector-core` publishes them; `@switchyard/otel` reads them. A
// message is built for one publish: subscribers copy what they keep.

import type { EjectionReason } from "./health.js";
import type { DoneInfo, Node } from "./node.js";
import type { Selector } from "./selector.js";

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
