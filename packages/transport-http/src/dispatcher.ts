import type { Node, NodeFilter, SelectOptions, Selector } from "@switchyard/api";
import { Dispatcher } from "undici";
import { ControllerOutcomeHandler, OutcomeHandler } from "./outcome.js";
import type { ThrowReport } from "./report.js";
import { RequestSelectOptions } from "./request-context.js";

/** What every view of one client's dispatcher shares. */
export interface DispatcherCore {
  readonly selector: Selector;
  readonly agent: Dispatcher;
  /** The client's own filters, run on every request before per-request ones. */
  readonly filters: readonly NodeFilter[];
  /** Where throws of the selector's done callbacks are reported. */
  readonly doneThrows: ThrowReport;
  /** Where throws of the views' onPick hooks are reported. */
  readonly onPickThrows: ThrowReport;
  close(): Promise<void>;
  destroy(): Promise<void>;
}

/** Options of {@link SwitchyardDispatcher.with}. */
export interface DispatchViewOptions {
  /** Filters for the requests sent through the view, after the client's. */
  readonly filters?: readonly NodeFilter[];
  /** Told the node picked for each request sent through the view; a throw is reported, the request goes on. */
  readonly onPick?: (node: Node) => void;
}

const origins = new WeakMap<Node, string>();

function originOf(node: Node): string {
  let origin = origins.get(node);
  if (origin === undefined) origins.set(node, (origin = `${node.scheme}://${node.address}`));
  return origin;
}

function fail(handler: Dispatcher.DispatchHandler, error: unknown): void {
  const h = handler as {
    onRequestStart?: unknown;
    onResponseError?: (c: null, e: unknown) => void;
    onError?: (e: unknown) => void;
  };
  if (h.onRequestStart !== undefined) h.onResponseError?.(null, error);
  else h.onError?.(error);
}

/**
 * An undici `Dispatcher` that picks a node per request with the client's selector, rewrites the
 * request's origin onto it, sends it through a pooled keep-alive `Agent`, and reports the outcome
 * (status, headers, error) to the selector. Works with undici's `request`/`stream` and with
 * `fetch(url, { dispatcher })`; the URL's host is a placeholder (the node decides), its path and
 * query are kept, and a `host` header you set is sent as is. When no node can be picked, the
 * request fails with the selector's error (`NoAvailableNodeError`, `FilterError`).
 */
export class SwitchyardDispatcher extends Dispatcher {
  private readonly core: DispatcherCore;
  private readonly filters: readonly NodeFilter[];
  private readonly onPick: ((node: Node) => void) | undefined;

  constructor(core: DispatcherCore, view: DispatchViewOptions = {}) {
    super();
    this.core = core;
    const extra = view.filters ?? [];
    this.filters = extra.length === 0 ? core.filters : [...core.filters, ...extra];
    this.onPick = view.onPick;
  }

  /** A dispatcher sharing this one's pool and selector, with more filters (per-request routing). */
  with(view: DispatchViewOptions): SwitchyardDispatcher {
    return new SwitchyardDispatcher(this.core, {
      filters: [...this.filters.slice(this.core.filters.length), ...(view.filters ?? [])],
      onPick: view.onPick ?? this.onPick,
    });
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    let picked: ReturnType<Selector["select"]>;
    try {
      picked = this.core.selector.select(this.selectOptions(options));
    } catch (error) {
      fail(handler, error);
      return true;
    }
    const node = picked.node;
    if (this.onPick !== undefined) {
      try {
        this.onPick(node);
      } catch (error) {
        this.core.onPickThrows.report(error, node);
      }
    }
    const wrapped =
      (handler as { onRequestStart?: unknown }).onRequestStart !== undefined
        ? new ControllerOutcomeHandler(handler, picked.done, node, this.core.doneThrows)
        : new OutcomeHandler(handler, picked.done, node, this.core.doneThrows);
    return this.core.agent.dispatch(
      { ...options, origin: originOf(node) },
      wrapped as Dispatcher.DispatchHandler,
    );
  }

  // Always given, filters or not: the balancer may route on the request too (consistent hashing).
  private selectOptions(options: Dispatcher.DispatchOptions): SelectOptions {
    return new RequestSelectOptions(this.filters, options);
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    const closing = this.core.close();
    if (callback === undefined) return closing;
    closing.then(callback, callback);
  }

  override destroy(): Promise<void>;
  override destroy(error: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(error: Error | null, callback: () => void): void;
  override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | void {
    const callback = typeof a === "function" ? a : b;
    const destroying = this.core.destroy();
    if (callback === undefined) return destroying;
    destroying.then(callback, callback);
  }
}
