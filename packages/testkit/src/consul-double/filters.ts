// The query parameters that narrow Consul's service reads, with Consul's semantics: `tag` (given
// any number of times, every one must be among the service's tags, compared without regard to
// case), `node-meta` (`key:value` pairs the node's metadata must all hold) and `near` (a sort by
// round-trip time, which a single node makes a no-op). `filter` expressions are not emulated.
import { HttpError } from "./reply.js";

/** The narrowing a service read asks for. */
export interface ServiceFilters {
  readonly tags: readonly string[];
  readonly nodeMeta: ReadonlyMap<string, string>;
}

/**
 * Reads the filters of a request.
 * @throws HttpError 400 for a `filter` expression, which the double does not evaluate (a test
 * must not pass because a filter was silently ignored).
 */
export function serviceFilters(query: URLSearchParams): ServiceFilters {
  if (query.has("filter")) {
    throw new HttpError(
      400,
      "consul double: filter expressions are not emulated; narrow the read with tag or node-meta, or filter the result",
    );
  }
  const nodeMeta = new Map<string, string>();
  for (const pair of query.getAll("node-meta")) {
    const colon = pair.indexOf(":");
    if (colon < 0) nodeMeta.set(pair, "");
    else nodeMeta.set(pair.slice(0, colon), pair.slice(colon + 1));
  }
  return { tags: query.getAll("tag").map((tag) => tag.toLowerCase()), nodeMeta };
}

/** Whether a service with `tags` on a node with `nodeMeta` passes the filters. */
export function passes(
  filters: ServiceFilters,
  tags: readonly string[],
  nodeMeta: Readonly<Record<string, string>>,
): boolean {
  for (const [key, value] of filters.nodeMeta) {
    if (!Object.hasOwn(nodeMeta, key) || nodeMeta[key] !== value) return false;
  }
  if (filters.tags.length === 0) return true;
  const lower = tags.map((tag) => tag.toLowerCase());
  return filters.tags.every((tag) => lower.includes(tag));
}
