import type { CallSlot, DeferredSelection, DoneFunc, DoneInfo, Node, WeightedNode } from "@switchyard/api";

const PICKED = 0;
const STARTED = 1;
const ENDED = 2;

/**
 * The result of a two-phase select (`DefaultSelector.selectDeferred`): one object per call, which
 * is also where the node keeps the state of the call it started (`CallSlot`), so neither phase costs
 * a closure. Deferred (the node builder declares `startsCalls`): `start()` counts the call on the
 * node, `done()` ends it, and a selection never started ends having counted nothing. Counted (a
 * builder without two-phase picks, or a probe): the pick was counted by the node already, `start()`
 * does nothing and `done()` is the pick's done.
 */
export class NodeSelection implements DeferredSelection, CallSlot {
  readonly node: Node;
  readonly deferred: boolean;
  ticket = 0;
  startedAt = 0;
  private state = PICKED;
  private readonly picked: WeightedNode | undefined;
  /**
   * Counted: the pick's done. Deferred: `undefined`, or the selector's watch around this
   * selection's end (`end`) when the selector watches every outcome (see `watchedDone`).
   */
  report: DoneFunc | undefined;

  /** Deferred with `picked` (the balancer's node); counted with the pick's `report` alone. */
  constructor(node: Node, picked: WeightedNode | undefined, report: DoneFunc | undefined) {
    this.node = node;
    this.picked = picked;
    this.deferred = picked !== undefined;
    this.report = report;
  }

  start(): void {
    if (this.state !== PICKED) return;
    this.state = STARTED;
    if (this.deferred) this.picked!.startCall!(this);
  }

  done(info?: DoneInfo): void {
    const state = this.state;
    if (state === ENDED) return;
    this.state = ENDED;
    if (!this.deferred) this.report!(info);
    else if (state === STARTED) {
      if (this.report !== undefined) this.report(info);
      else this.picked!.endCall!(this, info);
    }
  }

  /** Ends the started call on its node (what the selector's watch calls). */
  end(info: DoneInfo | undefined): void {
    this.picked!.endCall!(this, info);
  }
}
