import type { CallSlot, DeferredSelection, DoneFunc, DoneInfo, Node, WeightedNode } from "@switchyard/api";

const PICKED = 0;
const STARTED = 1;
const ENDED = 2;

/**
 * The result of a two-phase select (`DefaultSelector.selectDeferred`): one object per call, which
 * is also where the node keeps the state of the call it started (`CallSlot`), so neither phase costs
 * a closure.
 *
 * - `node` counts from the start (its builder declares `startsCalls`): `start()` counts the call on
 *   it, `done()` ends it there, and a selection never started ends having counted nothing.
 * - `own`: a done that must run when the call ends, started or not: the balancer's own done when it
 *   keeps state per call, or the pick's done when the pick was counted at once (a builder without
 *   two-phase picks, or a probe). With one, the selection is not `deferred`: the caller must call
 *   `done` even for a call that never starts.
 * - `watch`: the selector's watch around the end on the node, while it watches every outcome.
 */
export class NodeSelection implements DeferredSelection, CallSlot {
  readonly node: Node;
  ticket = 0;
  startedAt = 0;
  /** The selector's watch around `end` (see `watchedDone`), while it watches every outcome. */
  watch: DoneFunc | undefined = undefined;
  private state = PICKED;
  private readonly picked: WeightedNode | undefined;
  private readonly own: DoneFunc | undefined;

  constructor(node: Node, picked: WeightedNode | undefined, own: DoneFunc | undefined) {
    this.node = node;
    this.picked = picked;
    this.own = own;
  }

  get deferred(): boolean {
    return this.own === undefined;
  }

  start(): void {
    if (this.state !== PICKED) return;
    this.state = STARTED;
    const picked = this.picked;
    if (picked !== undefined) picked.startCall!(this);
  }

  done(info?: DoneInfo): void {
    const state = this.state;
    if (state === ENDED) return;
    this.state = ENDED;
    if (state === STARTED && this.picked !== undefined) {
      if (this.watch !== undefined) this.watch(info);
      else this.picked.endCall!(this, info);
    }
    if (this.own !== undefined) this.own(info);
  }

  /** Ends the started call on its node (what the selector's watch calls). */
  end(info: DoneInfo | undefined): void {
    this.picked!.endCall!(this, info);
  }
}
