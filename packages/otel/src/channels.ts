// The diagnostics channels `@switchyard/selector-core` publishes on, and the fields of their
// messages this package reads. The names are binding (selector-core's README documents every
// field); the shapes are restated here, structurally, so that this package depends on the API alone.

import type { DoneInfo, Node } from "@switchyard/api";

export const PICK_CHANNEL = "switchyard:pick";
export const DONE_CHANNEL = "switchyard:done";
export const HEALTH_CHANNEL = "switchyard:health";
export const APPLY_CHANNEL = "switchyard:apply";
export const ERROR_CHANNEL = "switchyard:error";

/** `switchyard:pick`: a node was picked for a call. */
export interface PickEvent {
  readonly service: string;
  readonly node: Node;
  readonly balancer: string;
}

/** `switchyard:done`: a picked call completed. */
export interface DoneEvent {
  readonly service: string;
  readonly node: Node;
  readonly balancer: string;
  readonly info: DoneInfo | undefined;
  readonly failure: boolean;
  readonly durationMs: number;
}

/** `switchyard:health`: a node was ejected or returned. */
export interface HealthEvent {
  readonly selector: object;
  readonly service: string;
  readonly node: Node;
  readonly balancer: string;
  readonly event: "ejected" | "returned";
  readonly reason: string;
}

/** `switchyard:apply`: a selector took a new node list. */
export interface ApplyEvent {
  readonly selector: object;
  readonly service: string;
  readonly balancer: string;
  readonly removed: readonly Node[];
}

/** `switchyard:error`: a select threw. */
export interface ErrorEvent {
  readonly service: string;
  readonly balancer: string;
  readonly error: unknown;
}
