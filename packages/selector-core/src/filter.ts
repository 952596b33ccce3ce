import { FilterError, type NodeFilter, type SelectContext, type WeightedNode } from "@switchyard/api";
import { errorMessage } from "@switchyard/kit";

/** A name for a filter in messages: its cache key, else its function name. */
export function filterName(filter: NodeFilter): string {
  return filter.cacheKey ?? (filter.name !== "" ? filter.name : "anonymous filter");
}

/** `selector: filter "<name>" <problem>`. */
export function filterError(filter: NodeFilter, problem: string, cause?: unknown): FilterError {
  return new FilterError(`selector: filter "${filterName(filter)}" ${problem}`, { cause });
}

/**
 * Calls a user's filter. Returns what it returned, known to be an array (its membership is the
 * caller's to check).
 * @throws FilterError when the filter throws (the cause), or returns something other than an array
 * (a promise included: filters are synchronous).
 */
export function callFilter(
  filter: NodeFilter,
  input: readonly WeightedNode[],
  context: SelectContext,
): readonly unknown[] {
  let output: unknown;
  try {
    output = filter(input, context);
  } catch (cause) {
    throw filterError(filter, `threw: ${errorMessage(cause)}`, cause);
  }
  if (Array.isArray(output)) return output;
  throw filterError(
    filter,
    isThenable(output)
      ? "returned a promise; filters run synchronously inside select: do the async work before the call " +
          "and pass its result in the select attributes"
      : `returned ${output === null ? "null" : typeof output}; a filter must return an array holding a ` +
          "subset of the nodes it was given",
  );
}

function ignore(): void {}

/**
 * Whether `value` is a promise or another thenable. When it is, a rejection handler is attached
 * first: the selector refuses the result, and a rejection nobody handles would otherwise end the
 * process (Node's default for unhandled rejections). Never throws, whatever the object does.
 */
function isThenable(value: unknown): boolean {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  let then: unknown;
  try {
    then = (value as { then?: unknown }).then;
  } catch {
    return false;
  }
  if (typeof then !== "function") return false;
  try {
    then.call(value, undefined, ignore);
  } catch {
    // A then that throws cannot leave a rejection behind.
  }
  return true;
}
