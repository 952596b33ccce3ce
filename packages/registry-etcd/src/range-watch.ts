import type { Clock, TimerHandle } from "@switchyard/api";
import type { Etcd3, IDuplexStream, IWatchRequest, IWatchResponse } from "etcd3";
import type { ServiceRange } from "./layout.js";

type WatchStream = IDuplexStream<IWatchRequest, IWatchResponse>;

/** One change as etcd reports it. */
export type WatchEvent = IWatchResponse["events"][number];

/** Where a {@link RangeWatch} sends what etcd answers. */
export interface RangeWatchHandlers {
  /** etcd created the watch; `current` is its store revision then. */
  created(current: bigint): void;
  /** Changes, in revision order. */
  events(events: readonly WatchEvent[]): void;
  /** The watch has seen everything up to `current` (sent only once it caught up). */
  progress(current: bigint): void;
  /** The start revision was compacted away (etcd compacted up to `compactRevision`); the watch is over. */
  compacted(compactRevision: string): void;
  /** The watch broke (stream error or end, cancellation, no confirmation in time); it is over. */
  failed(error: unknown): void;
}

/**
 * One etcd watch on a key range, from a start revision: opens a gRPC watch stream, asks for the
 * watch, and routes etcd's answers to the handlers until it is closed, fails, or is compacted
 * (each of which ends it: no handler runs afterwards). A watch etcd has not confirmed within
 * `dialTimeoutMs` fails.
 */
export class RangeWatch {
  private readonly handlers: RangeWatchHandlers;
  private readonly clock: Clock;
  private stream: WatchStream | undefined = undefined;
  private timer: TimerHandle | undefined;
  private closed = false;

  constructor(
    client: Etcd3,
    range: ServiceRange,
    start: bigint,
    timing: { clock: Clock; dialTimeoutMs: number },
    handlers: RangeWatchHandlers,
  ) {
    this.handlers = handlers;
    this.clock = timing.clock;
    this.timer = timing.clock.setTimeout(() => {
      this.timer = undefined;
      this.fail(new Error(`etcd did not confirm the watch within ${timing.dialTimeoutMs} ms`));
    }, timing.dialTimeoutMs);
    client.watchClient.watch().then(
      (stream) => {
        if (this.closed) return end(stream);
        this.stream = stream;
        stream.on("data", (response) => this.receive(response));
        stream.on("error", (error) => this.fail(error));
        stream.on("end", () => this.fail(new Error("etcd ended the watch stream")));
        const request = { key: range.key, range_end: range.end, start_revision: start.toString() };
        stream.write({ create_request: { ...request, progress_notify: true } });
      },
      (error: unknown) => this.fail(error),
    );
  }

  /** Ends the watch; no handler runs afterwards. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const stream = this.stream;
    this.stream = undefined;
    if (stream !== undefined) end(stream);
  }

  private receive(response: IWatchResponse): void {
    if (this.closed) return;
    if (response.canceled) {
      const compacted = response.compact_revision !== "0" && response.compact_revision !== "";
      this.close();
      if (compacted) this.handlers.compacted(response.compact_revision);
      else
        this.handlers.failed(
          new Error(`etcd canceled the watch: ${response.cancel_reason || "no reason given"}`),
        );
    } else if (response.created) {
      if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
      this.timer = undefined;
      this.handlers.created(BigInt(response.header.revision));
    } else if (response.events.length > 0) {
      this.handlers.events(response.events);
    } else {
      this.handlers.progress(BigInt(response.header.revision));
    }
  }

  private fail(error: unknown): void {
    if (this.closed) return;
    this.close();
    this.handlers.failed(error);
  }
}

/**
 * Ends a watch stream: half-closes it first so that etcd3 does not count the cancellation as a
 * failed host (which would reset every connection to it), then cancels the call.
 */
function end(stream: WatchStream): void {
  try {
    stream.end();
    stream.cancel();
  } catch {
    // already closed
  }
}
