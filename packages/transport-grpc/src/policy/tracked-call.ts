import { experimental, type Metadata } from "@grpc/grpc-js";
import type { DeferredSelection, DoneFunc, DoneInfo, Node } from "@switchyard/api";
import type { Limbo, LimboEntry } from "./limbo.js";
import { CallOutcome, NOT_STARTED } from "./outcome.js";
import type { ThrowReport } from "./report.js";

type OnCallEnded = NonNullable<experimental.PickResult["onCallEnded"]>;

/**
 * The result of a successful pick, and the bookkeeping of its call. A pick is not a call: grpc-js
 * may drop it and pick again (its subchannel left READY while the call's credentials were made, or
 * the call was cancelled first), and says nothing when it does. So the call starts on its node at
 * `onCallStarted` (`DeferredSelection.start`) and ends at `onCallEnded` with the status code and
 * trailers; a pick grpc-js drops was never counted and is simply forgotten.
 *
 * A selection counted at its pick (`deferred: false`: a selector without two-phase selects, a node
 * builder without them, a probe of an ejected node) is a {@link LimboCall} instead.
 *
 * grpc-js calls `onCallStarted` on this object (a method: no closure), and `onCallEnded` on the
 * call, so that one is made when the call starts. The fields are the few a call needs: the constant
 * ones (`pickResultType`, `status`) live on the prototype. The selection's done is the selector's code, hence
 * possibly a user's: a throw is reported and goes no further (not into grpc-js, which would lose the
 * call's status, nor into the sweep).
 */
export class TrackedCall implements experimental.PickResult {
  declare readonly pickResultType: experimental.PickResultType.COMPLETE;
  declare readonly status: null;
  readonly subchannel: experimental.SubchannelInterface;
  /** Set when the call starts (grpc-js reads it right after `onCallStarted`). */
  onCallEnded: OnCallEnded | null = null;
  protected readonly selection: DeferredSelection;
  private readonly doneThrows: ThrowReport;

  constructor(
    subchannel: experimental.SubchannelInterface,
    selection: DeferredSelection,
    doneThrows: ThrowReport,
  ) {
    this.subchannel = subchannel;
    this.selection = selection;
    this.doneThrows = doneThrows;
  }

  onCallStarted(): void {
    try {
      this.selection.start();
    } catch (error) {
      this.doneThrows.report(error, this.subchannel.getAddress());
    }
    this.onCallEnded = (code: number, details: string, trailers: Metadata) =>
      this.end(new CallOutcome(code, details, trailers));
  }

  protected end(info: DoneInfo): void {
    try {
      this.selection.done(info);
    } catch (error) {
      this.doneThrows.report(error, this.subchannel.getAddress());
    }
  }
}

// The same for every pick: kept on the prototype, not in each object.
Object.defineProperties(TrackedCall.prototype, {
  pickResultType: { value: experimental.PickResultType.COMPLETE },
  status: { value: null },
});

/**
 * A pick counted at the pick (`deferred: false`), which waits in the policy's limbo until its call
 * starts; one whose call never starts is completed as not sent by the limbo's sweep.
 */
export class LimboCall extends TrackedCall implements LimboEntry {
  limboPrev: LimboEntry | undefined = undefined;
  limboNext: LimboEntry | undefined = undefined;
  limboGeneration = -1;
  private readonly limbo: Limbo;

  constructor(
    subchannel: experimental.SubchannelInterface,
    selection: DeferredSelection,
    limbo: Limbo,
    doneThrows: ThrowReport,
  ) {
    super(subchannel, selection, doneThrows);
    this.limbo = limbo;
    limbo.add(this);
  }

  override onCallStarted(): void {
    this.limbo.remove(this);
    super.onCallStarted();
  }

  expire(): void {
    this.end(NOT_STARTED);
  }
}

/**
 * The selection of a selector without two-phase selects: its `select` result, counted at the pick,
 * with the once-only guard a `DeferredSelection` promises.
 */
export class CountedSelection implements DeferredSelection {
  readonly node: Node;
  readonly deferred = false;
  private readonly report: DoneFunc;
  private ended = false;

  constructor(node: Node, done: DoneFunc) {
    this.node = node;
    this.report = done;
  }

  start(): void {}

  done(info?: DoneInfo): void {
    if (this.ended) return;
    this.ended = true;
    this.report(info);
  }
}
