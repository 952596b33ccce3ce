import type { DoneFunc, Node, NodeFilter, SelectOptions, Selector } from "@switchyard/api";
import type { Dispatcher } from "undici";
import { ClientClosedError } from "./errors.js";
import { ControllerOutcomeHandler, OutcomeHandler } from "./outcome.js";
import type { NodePools } from "./pools.js";
import type { ThrowReport } from "./report.js";
import { RequestSelectOptions } from "./request-context.js";

/** What the dispatcher, its views and the typed client of one client share. */
export interface RouterParts {
  readonly selector: Selector;
  readonly pools: NodePools;
  /** The client's own filters, run on every request before per-request ones. */
  readonly filters: readonly NodeFilter[];
  /** Where throws of the selector's done callbacks are reported. */
  readonly doneThrows: ThrowReport;
  /** Where throws of the views' onPick hooks are reported. */
  readonly onPickThrows: ThrowReport;
  close(): Promise<void>;
  destroy(): Promise<void>;
}

/** Fails `handler`, in whichever of undici's two shapes it is. */
export function failHandler(handler: Dispatcher.DispatchHandler, error: unknown): void {
  const h = handler as {
    onRequestStart?: unknown;
    onResponseError?: (c: null, e: unknown) => void;
    onError?: (e: unknown) => void;
  };
  if (h.onRequestStart !== undefined) h.onResponseError?.(null, error);
  else h.onError?.(error);
}

/** Picks nodes and sends requests to them, reporting each outcome to the selector. */
export class Router {
  readonly selector: Selector;
  readonly filters: readonly NodeFilter[];
  readonly onPickThrows: ThrowReport;
  readonly close: () => Promise<void>;
  readonly destroy: () => Promise<void>;
  private readonly pools: NodePools;
  private readonly doneThrows: ThrowReport;

  constructor(parts: RouterParts) {
    this.selector = parts.selector;
    this.filters = parts.filters;
    this.onPickThrows = parts.onPickThrows;
    this.pools = parts.pools;
    this.doneThrows = parts.doneThrows;
    this.close = parts.close;
    this.destroy = parts.destroy;
  }

  /** The select options of a request with `filters` (all of them, the client's first), or none. */
  selectOptions(
    filters: readonly NodeFilter[],
    options: { readonly method?: string; readonly path?: string; readonly headers?: unknown },
    signal: AbortSignal | undefined,
  ): SelectOptions {
    // Always given, filters or not: the balancer may route on the request too (consistent hashing
    // reads a header through keyFromHeader). The attributes object is made only when read.
    return new RequestSelectOptions(filters, options, signal);
  }

  /**
   * Sends `options` to `node`'s pool, wrapping `handler` so that the outcome reaches `done`. What
   * undici's `dispatch` returns (false: wait for "drain" before sending more).
   */
  send(
    node: Node,
    done: DoneFunc,
    options: Dispatcher.DispatchOptions,
    handler: Dispatcher.DispatchHandler,
  ): boolean {
    const outcome =
      (handler as { onRequestStart?: unknown }).onRequestStart !== undefined
        ? new ControllerOutcomeHandler(handler, done, node, this.doneThrows)
        : new OutcomeHandler(handler, done, node, this.doneThrows);
    const pool = this.pools.get(node);
    if (pool === undefined) {
      failHandler(outcome as Dispatcher.DispatchHandler, closedError());
      return false;
    }
    return pool.dispatch(options, outcome as Dispatcher.DispatchHandler);
  }

  /** Whether the client was closed or destroyed (no request can be sent). */
  get closed(): boolean {
    return !this.pools.open;
  }
}

/** What a request sent after `close()` or `destroy()` fails with. */
export function closedError(): ClientClosedError {
  return new ClientClosedError("transport-http: the client is closed; create a new one to send requests");
}
