import { InvalidArgumentError, type Node, type NodeFilter, type SelectContext } from "@switchyard/api";
import { filterName } from "./filter.js";
import { describeValue } from "./node-fields.js";

/**
 * A filter that falls back: it runs `filter` and returns what `filter` keeps when that is not
 * empty, else every node it was given. `prefer(version("2.0.0"))` routes to 2.0.0 while any 2.0.0
 * node is a candidate and to the others when none is; a strict `version("2.0.0")` would fail the
 * call instead.
 *
 * Filters run in order, each over what the one before kept, so chaining narrows step by step:
 * `[preferZone(), prefer(version("2.0.0"))]` stays in the caller's zone when it can, then prefers
 * 2.0.0 there (a zone without 2.0.0 gets the zone's other versions, not 2.0.0 from elsewhere);
 * `[prefer(version("2.0.0")), preferZone()]` prefers 2.0.0 anywhere, then the caller's zone among
 * those. A `prefer` never leaves a call without nodes; a strict filter after it still can, and the
 * select error then names every filter of the call, the `prefer`s included.
 *
 * When `filter` has a `cacheKey`, so does the result (`prefer(<key>)`, such as
 * `prefer(version=2.0.0)`): the selector computes it once per node list, and a balancer sees a
 * stable list either way (the fallback is the input itself). Without one, neither has. A throw,
 * a promise or a foreign node from `filter` is reported by the selector as a `FilterError` of the
 * `prefer` filter.
 * @throws InvalidArgumentError when `filter` is not a function.
 */
export function prefer(filter: NodeFilter): NodeFilter {
  if (typeof filter !== "function") {
    throw new InvalidArgumentError(
      `prefer: expected a NodeFilter function such as version("2.0.0"), got ${describeValue(filter)}`,
    );
  }
  const preferred = (nodes: readonly Node[], context: SelectContext): readonly Node[] => {
    const kept = filter(nodes, context);
    // Anything but an empty array goes back as it came: the selector checks it and reports a
    // non-array (a promise) or a foreign node against this filter's name.
    return Array.isArray(kept) && kept.length === 0 ? nodes : kept;
  };
  Object.defineProperty(preferred, "name", { value: `prefer(${filterName(filter)})` });
  const key = filter.cacheKey;
  if (key === undefined) return preferred;
  return Object.defineProperty(preferred, "cacheKey", {
    value: `prefer(${key})`,
    enumerable: true,
  }) as NodeFilter;
}
