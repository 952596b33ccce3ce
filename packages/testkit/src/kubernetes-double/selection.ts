import type { ResourceRequest } from "./resources.js";
import { parseFieldSelector, parseLabelSelector, SelectorError } from "./selectors.js";
import { StatusError } from "./status.js";
import type { KubeObject } from "./types.js";

/**
 * The objects a list or watch selects by its label and field selectors.
 * @throws StatusError 400 for a selector that does not parse.
 */
export function selection(request: ResourceRequest, query: URLSearchParams): (object: KubeObject) => boolean {
  try {
    const labels = parseLabelSelector(query.get("labelSelector"));
    const fields = parseFieldSelector(query.get("fieldSelector"), request.kind === "Pod");
    return (object) => labels(object) && fields(object);
  } catch (error) {
    if (error instanceof SelectorError) throw new StatusError(400, "BadRequest", error.message);
    throw error;
  }
}
