import { FilterError, type NodeFilter, type SelectContext, type WeightedNode } from "@switchyard/api";
import type { Snapshot } from "./snapshot.js";

/** A name for a filter in messages: its cache key, else its function name. */
export function filterName(filter: NodeFilter): string {
  return filter.cacheKey ?? (filter.name !== "" ? filter.name : "anonymous filter");
}

/**
 * Runs one filter over `input` and returns weighted nodes of the snapshot. Results of filters
 * with a `cacheKey` are computed once per stable list.
 * @throws FilterError when the filter throws, returns something other than an array (a promise
 * included: filters are synchronous), or returns a node it was not given.
 */
export function runFilter(
  filter: NodeFilter,
  input: readonly WeightedNode[],
  context: SelectContext,
  snapshot: Snapshot,
): readonly WeightedNode[] {
  const key = filter.cacheKey;
  if (key !== undefined) {
    if (filter === snapshot.lastFilter && input === snapshot.lastInput) return snapshot.lastOutput!;
    const hit = snapshot.cached(input, key);
    if (hit !== undefined) {
      snapshot.lastFilter = filter;
      snapshot.lastInput = input;
      snapshot.lastOutput = hit;
      return hit;
    }
  }
  let output: unknown;
  try {
    output = filter(input, context);
  } catch (cause) {
    throw new FilterError(`selector: filter "${filterName(filter)}" threw: ${messageOf(cause)}`, { cause });
  }
  const result = output === input ? input : checkOutput(filter, input, output, snapshot);
  return key !== undefined ? snapshot.store(input, key, result) : result;
}

function checkOutput(
  filter: NodeFilter,
  input: readonly WeightedNode[],
  output: unknown,
  snapshot: Snapshot,
): readonly WeightedNode[] {
  if (!Array.isArray(output)) {
    if (isThenable(output)) {
      throw new FilterError(
        `selector: filter "${filterName(filter)}" returned a promise; filters run synchronously inside ` +
          "select: do the async work before the call and pass its result in the select attributes",
      );
    }
    throw new FilterError(
      `selector: filter "${filterName(filter)}" returned ${output === null ? "null" : typeof output}; ` +
        "a filter must return an array holding a subset of the nodes it was given",
    );
  }
  // Membership in the input (not only the snapshot: a later filter must not bring back what an
  // earlier one removed), and no node twice: marks on the snapshot, no allocation. Only the
  // uncached path pays for this.
  const members = snapshot.members;
  const nodes = snapshot.nodes;
  const round = snapshot.nextRound();
  const taken = round + 1;
  let given = 0;
  if (input !== nodes) {
    given = round;
    for (let i = 0; i < input.length; i++) snapshot.mark(members.get(input[i]!)!, given);
  }
  let mapped: WeightedNode[] | undefined;
  for (let i = 0; i < output.length; i++) {
    const item = output[i] as WeightedNode;
    const index = members.get(item);
    if (index !== undefined && snapshot.marked(index, taken)) {
      throw new FilterError(
        `selector: filter "${filterName(filter)}" returned ${item.address} twice; a filter must return a subset of its input`,
      );
    }
    if (index === undefined || (given !== 0 && !snapshot.marked(index, given))) {
      const address = typeof item === "object" && item !== null ? String(item.address) : String(item);
      throw new FilterError(
        `selector: filter "${filterName(filter)}" returned a node it was not given (${address}); ` +
          "a filter must return a subset of its input, not new, copied or earlier-removed node objects",
      );
    }
    snapshot.mark(index, taken);
    const member = nodes[index]!;
    if (member !== item) {
      // The filter returned raw nodes: map them to their weighted nodes.
      mapped ??= output.slice(0, i) as WeightedNode[];
    }
    if (mapped !== undefined) mapped.push(member);
  }
  return mapped ?? (output as WeightedNode[]);
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
