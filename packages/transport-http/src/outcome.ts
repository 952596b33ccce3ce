import type { DoneFunc, DoneInfo, Node, ReplyMetadata } from "@switchyard/api";
import type { Dispatcher } from "undici";
import type { ThrowReport } from "./report.js";

// Wraps the caller's undici handler to report each request's outcome to the selector. The wrapper
// itself is the DoneInfo and the reply metadata, so a completed request allocates nothing more.
// `done` runs when the final response headers arrive (latency = time to first byte, which an unread
// body cannot hold open; 1xx informational replies are passed on, not reported), or when the request
// fails before that. The done callback is the selector's code, hence possibly a user's: a throw is
// reported and never reaches undici, so the reply (or the request's own error) still reaches the
// caller.

type LooseHandler = Record<string, ((...args: unknown[]) => unknown) | undefined>;

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
    this.finish();
    return this.handler.onHeaders!(statusCode, rawHeaders, resume, statusText) as boolean;
  }

  onData(chunk: Buffer): boolean {
    return this.handler.onData!(chunk) as boolean;
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
    this.error = error;
    this.finish();
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
    this.finish();
    this.handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: unknown, chunk: Buffer): void {
    this.handler.onResponseData?.(controller, chunk);
  }

  onResponseEnd(controller: unknown, trailers: unknown): void {
    this.finish();
    this.handler.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: unknown, error: Error): void {
    this.error = error;
    this.finish();
    this.handler.onResponseError?.(controller, error);
  }
}
