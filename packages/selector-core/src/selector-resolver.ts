import { InvalidArgumentError, type Selector } from "@switchyard/api";
import { errorMessage, warnSafely } from "@switchyard/kit";
import { createResolver } from "./resolver.js";
import type { Resolver, ResolverOptions } from "./resolver-api.js";
import type { ResolverUpdate } from "./resolver-update.js";

/** What {@link createSelectorResolver} takes: the resolver's options, with a selector to feed. */
export interface SelectorResolverOptions extends Omit<ResolverOptions, "onUpdate"> {
  /** Receives every node list through `apply`. */
  readonly selector: Selector;
  /**
   * Called after each successful `apply`; optional. If it throws, the throw is reported (logger,
   * or a process warning) and the applied list stays current.
   */
  readonly onUpdate?: (update: ResolverUpdate) => void;
}

/**
 * A resolver that applies every node list to `selector` (what the HTTP transport uses). When
 * `apply` throws, the update is dropped as for any failing `onUpdate`.
 * @throws InvalidArgumentError when `selector` has no `apply`, or as {@link createResolver}.
 */
export function createSelectorResolver(options: SelectorResolverOptions): Resolver {
  const selector = options?.selector;
  if (typeof selector?.apply !== "function") {
    throw new InvalidArgumentError(
      "createSelectorResolver: selector must be a Selector (an object with apply()), such as wrr().build()",
    );
  }
  const after = options.onUpdate;
  return createResolver({
    ...options,
    onUpdate(update) {
      selector.apply(update.nodes);
      if (after === undefined) return;
      // The selector holds the list now: a throw here must not make the resolver drop it.
      try {
        after(update);
      } catch (error) {
        const service = JSON.stringify(options.serviceName);
        warnSafely(
          options.logger ?? console,
          `resolver: onUpdate for ${service} threw after the list was applied: ${errorMessage(error)}`,
          { service: options.serviceName, error },
        );
      }
    },
  });
}
