import type { DoneFunc, DoneInfo, Node, ReplyMetadata } from "@switchyard/api";
import type { Dispatcher } from "undici";
import type { ThrowReport } from "./report.js";

// Wraps the caller's undici handler to report each request's outcome to the selector. The wrapper
// itself is the DoneInfo and the reply metadata, so a completed request allocates nothing more.
// The done callback is the selector's code, hence possibly a user's: a throw is reported and never
// reaches undici, so the reply (or the request's own error) still reaches the caller.
//
// When `done` runs. It runs once, so one report carries both things the balancer learns from a
// call: how long the node took, and whether it served the call. Reporting at the response headers
// gives the time to first byte but can never tell of a reset while the body streams (the report
// already said success, and a second one is ignored); a second pick made only to report a failure
// would count a call that never happened. So `done` runs when the reply ends:
// - at the last byte of the body. A reply whose body comes with its headers (an API reply of a few
//   kB) ends in the same parser pass as its headers: its latency is still its time to first byte.
// - when the connection fails under a body (reset, closed early, short body, parse error, body
//   timeout): the error is reported with the status the headers gave, so ewma's success average
//   and the health layer see the failure.
// - as soon as the caller holds the body back (undici's handler returns false from onHeaders or
//   onData, or a controller-shaped handler pauses): from there on the pace is the caller's, so a
//   slow reader, or a body nobody reads, neither adds to the node's latency nor holds it in flight
//   (undici runs no body timeout on a paused socket). A failure after that point is not seen.
// - when the request fails before its headers, with the error.
// After the headers, only the connection's own failures count against the node: a caller that gives
// up on the body (abort signal, body.destroy(), dump() past its limit) ends the request with an
// undici abort error that a balancer would count as the node's, so the reply is reported as it was
// (status, no error). A body that streams for long and that the caller keeps reading (an event
// stream) counts as in flight until it ends, and its duration is its latency: the price of seeing
// its failures. 1xx informational replies are passed on, not reported.

type LooseHandler = Record<string, ((...args: unknown[]) => unknown) | undefined>;

/** Errors with which the connection, not the caller, ends a reply whose headers arrived. */
const CONNECTION_FAILURES: ReadonlySet<string> = new Set([
  "UND_ERR_SOCKET",
  "UND_ERR_RES_CONTENT_LENGTH_MISMATCH",
  "UND_ERR_BODY_TIMEOUT",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
]);

function isConnectionFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && (CONNECTION_FAILURES.has(code) || code.startsWith("HPE_"));
}

function headerFrom(raw: readonly (Buffer | string)[] | null, key: string): string | undefined {
  if (raw === null) return undefined;
  const wanted = key.toLowerCase();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toString().toLowerCase() === wanted) return raw[i + 1]!.toString();
  }
  return undefined;
}

/**
 * What both handler shapes share: the outcome fields (the handler is the DoneInfo), the caller's
 * handler, and the done callback, called once and isolated.
 */
abstract class Outcome implements DoneInfo, ReplyMetadata {
  httpStatus: number | undefined = undefined;
  error: unknown = undefined;
  bytesSent = false;
  bytesReceived = false;
  replyMetadata: ReplyMetadata | undefined = undefined;
  protected readonly handler: LooseHandler;
  private done: DoneFunc | undefined;
  private readonly node: Node;
  private readonly doneThrows: ThrowReport;

  constructor(handler: Dispatcher.DispatchHandler, done: DoneFunc, node: Node, doneThrows: ThrowReport) {
    this.handler = handler as unknown as LooseHandler;
    this.done = done;
    this.node = node;
    this.doneThrows = doneThrows;
  }

  abstract get(key: string): string | undefined;

  /**
   * The request ended with `error`. Before the headers it is the outcome; after them, only when the
   * connection failed (a caller's abort leaves the reply as it was). Once done has run, nothing changes.
   */
  protected fail(error: unknown): void {
    if (this.done === undefined) return;
    if (this.httpStatus === undefined || isConnectionFailure(error)) this.error = error;
    this.finish();
  }

  protected finish(): void {
    const done = this.done;
    if (done !== undefined) {
      this.done = undefined;
      try {
        done(this);
      } catch (error) {
        this.doneThrows.report(error, this.node);
      }
    }
  }
}

/** For handlers in undici's classic shape (what `fetch` and `request` pass). */
export class OutcomeHandler extends Outcome {
  private raw: readonly (Buffer | string)[] | null = null;

  get(key: string): string | undefined {
    return headerFrom(this.raw, key);
  }

  onConnect(abort: (err?: Error) => void, context?: object): void {
    this.handler.onConnect?.(abort, context);
  }

  onRequestSent(): void {
    this.bytesSent = true;
    this.handler.onRequestSent?.();
  }

  onBodySent(chunk: unknown): void {
    this.bytesSent = true;
    this.handler.onBodySent?.(chunk);
  }

  onResponseStarted(): void {
    this.handler.onResponseStarted?.();
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    // A 1xx (103 Early Hints, …) comes before the real reply: pass it on, report the final one.
    if (statusCode < 200)
      return this.handler.onHeaders!(statusCode, rawHeaders, resume, statusText) as boolean;
    this.httpStatus = statusCode;
    this.raw = rawHeaders;
    this.replyMetadata = this;
    this.bytesSent = true;
    this.bytesReceived = true;
    const more = this.handler.onHeaders!(statusCode, rawHeaders, resume, statusText) as boolean;
    if (more === false) this.finish();
    return more;
  }

  onData(chunk: Buffer): boolean {
    const more = this.handler.onData!(chunk) as boolean;
    if (more === false) this.finish();
    return more;
  }

  onComplete(trailers: string[] | null): void {
    this.finish();
    this.handler.onComplete!(trailers);
  }

  onUpgrade(statusCode: number, rawHeaders: Buffer[] | string[] | null, socket: unknown): void {
    this.httpStatus = statusCode;
    this.raw = rawHeaders;
    this.bytesReceived = true;
    this.finish();
    this.handler.onUpgrade?.(statusCode, rawHeaders, socket);
  }

  onError(error: Error): void {
    this.fail(error);
    this.handler.onError!(error);
  }
}

/** For handlers in undici 7's controller shape (`onRequestStart`, `onResponseStart`, …). */
export class ControllerOutcomeHandler extends Outcome {
  private headers: Record<string, string | string[] | undefined> | null = null;

  get(key: string): string | undefined {
    const value = this.headers?.[key.toLowerCase()];
    return Array.isArray(value) ? value.join(", ") : value;
  }

  onRequestStart(controller: unknown, context: unknown): void {
    this.handler.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(controller: unknown, statusCode: number, headers: unknown, socket: unknown): void {
    this.httpStatus = statusCode;
    this.finish();
    this.handler.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(
    controller: unknown,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
    statusMessage?: string,
  ): void {
    if (statusCode < 200) {
      this.handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
      return;
    }
    this.httpStatus = statusCode;
    this.headers = headers;
    this.replyMetadata = this;
    this.bytesSent = true;
    this.bytesReceived = true;
    this.handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
    if ((controller as Dispatcher.DispatchController).paused) this.finish();
  }

  onResponseData(controller: unknown, chunk: Buffer): void {
    this.handler.onResponseData?.(controller, chunk);
    if ((controller as Dispatcher.DispatchController).paused) this.finish();
  }

  onResponseEnd(controller: unknown, trailers: unknown): void {
    this.finish();
    this.handler.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: unknown, error: Error): void {
    this.fail(error);
    this.handler.onResponseError?.(controller, error);
  }
}
