/**
 * Why the health layer took a node out of the candidates:
 * - `"connection-failures"`: a run of connection-level failures (refused, reset, unreachable);
 * - `"consecutive-failures"`: a run of failures of any kind;
 * - `"success-rate"`: over an interval, its success rate fell well below the fleet's;
 * - `"failure-percentage"`: over an interval, it failed at least a set share of its calls;
 * - `"stalled"`: its calls stopped coming back (none completed for a while, calls in flight) while
 *   the fleet's kept completing: a node that hangs, found before its calls reach their deadline;
 * - `"pushback"`: it asked to be left alone (`Retry-After`, `grpc-retry-pushback-ms`).
 */
export type EjectionReason =
  | "connection-failures"
  | "consecutive-failures"
  | "success-rate"
  | "failure-percentage"
  | "stalled"
  | "pushback";

/**
 * Where a node stands: `"healthy"`; `"ejected"` (out of the candidates until its ejection ends or a
 * probe call succeeds); `"probation"` (back, but a failure before it has proved itself ejects it
 * again at once, for longer).
 */
export type NodeHealthState = "healthy" | "ejected" | "probation";

/** The health of one node as a selector's health layer sees it (`Selector.health()`). */
export interface NodeHealth {
  /** The node's address (unique within the service). */
  readonly address: string;
  readonly state: NodeHealthState;
  /**
   * When the current ejection began, on the selector's clock (ms, `performance.now()` unless a
   * `clock` was given); `undefined` unless ejected.
   */
  readonly ejectedSince: number | undefined;
  /** When the current ejection ends at the latest (a successful probe ends it sooner); `undefined` unless ejected. */
  readonly ejectedUntil: number | undefined;
  /** Why it was last ejected; `undefined` if it never was. */
  readonly reason: EjectionReason | undefined;
  /** How many times it was ejected since its address joined. */
  readonly ejections: number;
  /**
   * Its success rate (0 to 1) over the last interval the detectors judged, when it had calls
   * then; `undefined` before that.
   */
  readonly successRate: number | undefined;
  /** Its current run of failures (0 after a success). */
  readonly consecutiveFailures: number;
  /**
   * A detector judged it failing but it stays a candidate, because as many nodes as the layer may
   * eject at once are out already; balancers that draw at random skip it when they can.
   */
  readonly failing: boolean;
}
