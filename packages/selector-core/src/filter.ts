import { FilterError, type NodeFilter, type SelectContext, type WeightedNode } from "@switchyard/api";
import type { Snapshot } from "./snapshot.js";

/** A name for a filter in messages: its cache key, else its function name. */
export function filterName(filter: NodeFilter): string {
  return filter.cacheKey ?? (filter.name !== "" ? filter.name : "anonymous filter");
}

/**
 * Runs one filter over `input` and returns weighted nodes of the snapshot. Results of filters
 * with a `cacheKey` are computed once per stable list.
 * @throws FilterError when the filter throws, returns something other than an array, or returns
 * a node that is not one of the selector's current nodes.
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
  let given = 0;
  if (input !== nodes) {
    given = snapshot.nextMark();
    for (let i = 0; i < input.length; i++) snapshot.mark(members.get(input[i]!)!, given);
  }
  const taken = snapshot.nextMark();
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
