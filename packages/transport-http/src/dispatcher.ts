import type { Node, NodeFilter, Selector } from "@switchyard/api";
import { Dispatcher } from "undici";
import { closedError, failHandler, type Router } from "./router.js";

/** Options of {@link SwitchyardDispatcher.with}. */
export interface DispatchViewOptions {
  /** Filters for the requests sent through the view, after the client's. */
  readonly filters?: readonly NodeFilter[];
  /** Told the node picked for each request sent through the view; a throw is reported, the request goes on. */
  readonly onPick?: (node: Node) => void;
}

/**
 * An undici `Dispatcher` that picks a node per request with the client's selector, sends the request
 * to that node's keep-alive `Pool`, and reports the outcome (status, headers, error) to the selector
 * when the reply ends. Works with undici's `request`/`stream` and with
 * `fetch(url, { dispatcher })`; the URL's host is a placeholder (the node decides), its path and
 * query are kept, and a `host` header you set is sent as is. When no node can be picked, the
 * request fails with the selector's error (`NoAvailableNodeError`, `FilterError`).
 */
export class SwitchyardDispatcher extends Dispatcher {
  private readonly router: Router;
  private readonly filters: readonly NodeFilter[];
  private readonly onPick: ((node: Node) => void) | undefined;

  /** Made by `createClient` (`client.dispatcher`); `with()` makes views. */
  constructor(router: Router, view: DispatchViewOptions = {}) {
    super();
    this.router = router;
    const extra = view.filters ?? [];
    this.filters = extra.length === 0 ? router.filters : [...router.filters, ...extra];
    this.onPick = view.onPick;
  }

  /** A dispatcher sharing this one's pool and selector, with more filters (per-request routing). */
  with(view: DispatchViewOptions): SwitchyardDispatcher {
    return new SwitchyardDispatcher(this.router, {
      filters: [...this.filters.slice(this.router.filters.length), ...(view.filters ?? [])],
      onPick: view.onPick ?? this.onPick,
    });
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const router = this.router;
    if (router.closed) {
      failHandler(handler, closedError());
      return false;
    }
    let picked: ReturnType<Selector["select"]>;
    try {
      const signal = (options as { signal?: AbortSignal }).signal;
      picked = router.selector.select(router.selectOptions(this.filters, options, signal));
    } catch (error) {
      failHandler(handler, error);
      return true;
    }
    const node = picked.node;
    if (this.onPick !== undefined) {
      try {
        this.onPick(node);
      } catch (error) {
        router.onPickThrows.report(error, node);
      }
    }
    // A plain copy of the options (the pool needs no change to them) is cheaper than none: undici's
    // request(url, opts) hands over an object made by a spread that adds properties, and on Node 20
    // (V8 11) undici's Request constructor reads such an object through megamorphic lookups, about
    // 2 µs per request here; a copy has a shape its inline caches know (bench/http README).
    return router.send(node, picked.done, { ...options }, handler);
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    const closing = this.router.close();
    if (callback === undefined) return closing;
    closing.then(callback, callback);
  }

  override destroy(): Promise<void>;
  override destroy(error: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(error: Error | null, callback: () => void): void;
  override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | void {
    const callback = typeof a === "function" ? a : b;
    const destroying = this.router.destroy();
    if (callback === undefined) return destroying;
    destroying.then(callback, callback);
  }
}
