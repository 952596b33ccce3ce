import type { NodeFilter, SelectOptions } from "@switchyard/api";
import { isNodeFailure } from "@switchyard/selector-core";
import type { Dispatcher } from "undici";
import type { HttpResponse } from "./client.js";
import type { RetryBudget } from "./retry-budget.js";
import { closedError, type Router } from "./router.js";

function noop(): void {}

type LooseHandler = Record<string, ((...args: unknown[]) => unknown) | undefined>;

/** Bytes of a 503 reply read (and dropped) before a retry; past it the attempt is aborted. */
const DISCARD_LIMIT = 128 * 1024;

/** How the typed client retries; see `RetryOptions`. */
export interface RetryPolicy {
  /** Attempts allowed for this request, the first included (1: no retry). */
  readonly attempts: number;
  readonly budget: RetryBudget | undefined;
}

/**
 * One `client.request`. undici's `request()` runs with this object as its dispatcher: it builds its
 * reply handler (the body stream) once and hands it to `dispatch`, and this object sends each attempt
 * to a node picked for it, standing between the attempt and undici's handler when the request may be
 * retried (otherwise the attempt talks to undici's handler directly). A retry is sent from
 * here, to a node not tried yet when there is one (as undici's `RetryHandler` resends from within the
 * handler chain): on a connection-level failure before the reply's headers, or on a 503 whose body is
 * dropped, while attempts are left, the caller has not aborted, and the retry budget has a token. Once
 * the headers of a reply reach the caller, the request is that reply.
 */
export class ClientCall {
  /** `host:port` of the node of the latest attempt. */
  address = "";
  /** Settle the promise `reply()` gave. */
  resolve: (response: HttpResponse) => void = noop;
  reject: (error: Error) => void = noop;
  private readonly router: Router;
  private readonly select: SelectOptions | undefined;
  private readonly retry: RetryPolicy;
  private readonly signal: AbortSignal | undefined;
  private handler: LooseHandler | undefined = undefined;
  private options: Dispatcher.DispatchOptions | undefined = undefined;
  private attempt = 0;
  /** Addresses of the attempts so far; made at the first retry. */
  private tried: string[] | undefined = undefined;
  /** The reply of this attempt is a 503 being read and dropped before a retry. */
  private discarded = -1;
  private abortAttempt: ((error?: Error) => void) | undefined = undefined;
  /** A reply's headers went to the caller: the request is that reply, no more retries. */
  private replied = false;

  constructor(router: Router, select: SelectOptions | undefined, retry: RetryPolicy, signal?: AbortSignal) {
    this.router = router;
    this.select = select;
    this.retry = retry;
    this.signal = signal;
  }

  /** The caller's promise, settled through `resolve` and `reject`. */
  reply(): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /** Called by undici's `request()` with the request and its reply handler. */
  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.options = options;
    this.handler = handler as unknown as LooseHandler;
    return this.send();
  }

  private send(): boolean {
    if (this.router.closed) {
      this.handler!.onError!(closedError());
      return false;
    }
    this.attempt++;
    let picked: ReturnType<Router["selector"]["select"]>;
    try {
      picked = this.router.selector.select(this.attempt === 1 ? this.select : this.retrySelect());
    } catch (error) {
      this.handler!.onError!(error);
      return true;
    }
    this.address = picked.node.address;
    // With no retry possible this object has nothing to do between the attempt and undici's handler.
    const handler = this.retry.attempts > 1 ? this : this.handler;
    return this.router.send(picked.node, picked.done, this.options!, handler as Dispatcher.DispatchHandler);
  }

  /** The select options of a retry: the request's filters, then one that keeps nodes not tried yet. */
  private retrySelect(): SelectOptions {
    const tried = this.tried!;
    const untried: NodeFilter = (nodes) => {
      const left = nodes.filter((n) => !tried.includes(n.address));
      return left.length > 0 ? left : nodes;
    };
    const base = this.select;
    const options = this.options!;
    return {
      filters: [...(base?.filters ?? []), untried],
      attributes: base?.attributes ?? {
        method: options.method,
        path: options.path,
        headers: options.headers,
      },
      signal: this.signal,
    };
  }

  /** Whether the request may be sent again: an attempt left, not aborted, and a token in the budget. */
  private mayRetry(): boolean {
    return (
      this.attempt < this.retry.attempts && this.signal?.aborted !== true && this.retry.budget!.withdraw()
    );
  }

  private resend(): void {
    (this.tried ??= []).push(this.address);
    this.discarded = -1;
    this.abortAttempt = undefined;
    // Sent after undici has finished with the failed attempt, not from inside its callbacks.
    queueMicrotask(() => this.send());
  }

  // The handler of each attempt (undici's classic shape), called by the attempt's outcome handler.

  onConnect(abort: (error?: Error) => void, context?: unknown): void {
    this.abortAttempt = abort;
    this.handler!.onConnect?.(abort, context);
  }

  onResponseStarted(): void {
    this.handler!.onResponseStarted?.();
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (statusCode === 503 && this.discarded < 0 && this.mayRetry()) {
      this.discarded = 0;
      return true;
    }
    if (statusCode >= 200) this.replied = true;
    return this.handler!.onHeaders!(statusCode, rawHeaders, resume, statusText) as boolean;
  }

  onData(chunk: Buffer): boolean {
    if (this.discarded < 0) return this.handler!.onData!(chunk) as boolean;
    this.discarded += chunk.length;
    if (this.discarded > DISCARD_LIMIT) this.abortAttempt?.();
    return true;
  }

  onComplete(trailers: string[] | null): void {
    if (this.discarded >= 0) this.resend();
    else this.handler!.onComplete!(trailers);
  }

  onError(error: Error): void {
    if (this.discarded >= 0) {
      this.resend();
      return;
    }
    if (!this.replied && isNodeFailure({ error }) && this.mayRetry()) {
      this.resend();
      return;
    }
    this.handler!.onError!(error);
  }
}
