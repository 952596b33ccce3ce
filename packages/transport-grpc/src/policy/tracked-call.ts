import { experimental, type Metadata } from "@grpc/grpc-js";
import type { DoneFunc, DoneInfo } from "@switchyard/api";
import type { Limbo, LimboEntry } from "./limbo.js";
import { CallOutcome, NOT_STARTED } from "./outcome.js";
import type { ThrowReport } from "./report.js";

type OnCallEnded = NonNullable<experimental.PickResult["onCallEnded"]>;

/**
 * The result of a successful pick, and the bookkeeping of its call. A pick is not a call: grpc-js
 * may drop it and pick again. The pick waits in the policy's limbo until grpc-js starts the call
 * (`onCallStarted`), and its done callback runs once, from `onCallEnded`, with the status code and
 * trailers; a pick whose call never starts is completed as not sent by the limbo's sweep. The done
 * callback is the selector's code, hence possibly a user's: a throw is reported and goes no further
 * (not into grpc-js, which would lose the call's status, nor into the sweep).
 */
export class TrackedCall implements experimental.PickResult, LimboEntry {
  readonly pickResultType = experimental.PickResultType.COMPLETE;
  readonly subchannel: experimental.SubchannelInterface;
  readonly status = null;
  readonly onCallStarted: () => void;
  readonly onCallEnded: OnCallEnded;
  limboPrev: LimboEntry | undefined = undefined;
  limboNext: LimboEntry | undefined = undefined;
  limboGeneration = 0;
  private readonly done: DoneFunc;
  private readonly doneThrows: ThrowReport;
  private ended = false;

  constructor(
    subchannel: experimental.SubchannelInterface,
    done: DoneFunc,
    limbo: Limbo,
    doneThrows: ThrowReport,
  ) {
    this.subchannel = subchannel;
    this.done = done;
    this.doneThrows = doneThrows;
    this.onCallStarted = () => limbo.remove(this);
    this.onCallEnded = (code: number, details: string, trailers: Metadata) => {
      limbo.remove(this);
      this.end(new CallOutcome(code, details, trailers));
    };
    limbo.add(this);
  }

  expire(): void {
    this.end(NOT_STARTED);
  }

  private end(info: DoneInfo): void {
    if (this.ended) return;
    this.ended = true;
    try {
      this.done(info);
    } catch (error) {
      this.doneThrows.report(error, this.subchannel.getAddress());
    }
  }
}
