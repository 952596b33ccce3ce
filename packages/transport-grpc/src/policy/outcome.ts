import { type Metadata, status } from "@grpc/grpc-js";
import type { DoneInfo, ReplyMetadata } from "@switchyard/api";

/** What `DoneInfo.error` holds for a call that ended with a status other than OK. */
export interface CallStatus {
  readonly code: number;
  readonly details: string;
  readonly metadata: Metadata;
}

/**
 * How a call ended, as the selector's done callback gets it: the gRPC status code, the status as
 * `error` when it is not OK, and the trailers as `replyMetadata` (`get` returns the first value as
 * a string; binary `-bin` values in base64, as on the wire). One object per call; it is its own
 * reply-metadata view.
 */
export class CallOutcome implements DoneInfo, ReplyMetadata {
  readonly grpcStatus: number;
  readonly error: CallStatus | undefined;
  readonly replyMetadata: ReplyMetadata;
  private readonly trailers: Metadata;

  constructor(code: number, details: string, trailers: Metadata) {
    this.grpcStatus = code;
    this.error = code === status.OK ? undefined : { code, details, metadata: trailers };
    this.trailers = trailers;
    this.replyMetadata = this;
  }

  get(key: string): string | undefined {
    const values = this.trailers.get(key);
    if (values.length === 0) return undefined;
    const value = values[0]!;
    return typeof value === "string" ? value : value.toString("base64");
  }
}

/**
 * The outcome reported for a pick whose call never started (see `Limbo`): nothing reached the node,
 * so an ewma node only releases the call and learns nothing (no failure, no latency sample).
 */
export const NOT_STARTED: DoneInfo = Object.freeze({ bytesSent: false });
