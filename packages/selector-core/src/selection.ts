import type {
  CallSlot,
  DeferredSelection,
  DoneFunc,
  DoneInfo,
  Node,
  SelectContext,
  WeightedNode,
} from "@switchyard/api";
import type { SelectorTap } from "./diagnostics.js";

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
 * - `observe(tap, context)`, while a diagnostics channel has a subscriber: the call is published
 *   on `switchyard:pick` and `switchyard:done` as a call, from its start to its end (at once when it
 *   is counted at the pick), so a pick that never starts publishes nothing, as it counts nothing.
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
  /** While observed: the channels' side, the select's context, and the publishing done once published. */
  private tap: SelectorTap | undefined = undefined;
  private context: SelectContext | undefined = undefined;
  /** How many candidates the balancer chose among, as published with the pick. */
  private candidates = 0;
  private published: DoneFunc | undefined = undefined;

  constructor(node: Node, picked: WeightedNode | undefined, own: DoneFunc | undefined) {
    this.node = node;
    this.picked = picked;
    this.own = own;
  }

  get deferred(): boolean {
    return this.own === undefined;
  }

  /** Publishes this call on the diagnostics channels: now when it is not deferred, else at its start. */
  observe(tap: SelectorTap, context: SelectContext | undefined): void {
    this.tap = tap;
    this.context = context;
    this.candidates = tap.candidates;
    if (!this.deferred) this.publish();
  }

  start(): void {
    if (this.state !== PICKED) return;
    this.state = STARTED;
    const picked = this.picked;
    if (picked !== undefined) picked.startCall!(this);
    if (this.tap !== undefined && this.deferred) this.publish();
  }

  done(info?: DoneInfo): void {
    const published = this.published;
    if (published !== undefined) published(info);
    else this.finish(info);
  }

  private publish(): void {
    const tap = this.tap!;
    // Other selects may have run since this one picked.
    tap.candidates = this.candidates;
    this.published = tap.picked(this.node, (info) => this.finish(info), this.context);
  }

  private finish(info: DoneInfo | undefined): void {
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
