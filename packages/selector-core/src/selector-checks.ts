import { InvalidArgumentError, type Node } from "@switchyard/api";
import { isCheckedNode } from "./node.js";
import { describeValue, fieldProblem } from "./node-fields.js";

// What the default selector checks of its input before it changes anything: the filter lists of
// createSelectorBuilder and select, and the node lists of apply.

export function invalid(message: string): InvalidArgumentError {
  return new InvalidArgumentError(`selector: ${message}`);
}

/** Why `filters` is not an array of functions, or `undefined` when it is one. */
export function filtersProblem(filters: unknown, where: string): InvalidArgumentError | undefined {
  if (!Array.isArray(filters)) {
    return invalid(
      `${where}: filters must be an array of NodeFilter functions, got ${describeValue(filters)}`,
    );
  }
  const i = filters.findIndex((filter) => typeof filter !== "function");
  if (i < 0) return undefined;
  return invalid(
    `${where}: filters[${i}] is ${describeValue(filters[i])}, not a function; pass NodeFilter functions ` +
      'such as version("2.0.0")',
  );
}

/**
 * Checks a whole node list before anything changes. Nodes built by createNode/nodeFromInstance
 * were checked when made and are frozen: only their addresses are compared. Any other object is
 * checked field by field, since a bad field (a weight "1" that wrr would concatenate, metadata
 * "abc") would corrupt balancing for as long as the node stays.
 */
export function checkNodes(nodes: readonly Node[]): void {
  if (!Array.isArray(nodes)) throw invalid(`apply expects an array of nodes, got ${typeof nodes}`);
  const kept = "; the previous node list is kept";
  const seen = new Set<string>();
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    const address = typeof node === "object" && node !== null ? node.address : undefined;
    if (typeof address !== "string" || address === "") {
      throw invalid(`apply: item ${i} is not a node with a non-empty address${kept}`);
    }
    if (!isCheckedNode(node!)) {
      const scheme = node!.scheme;
      const problem =
        typeof scheme !== "string" || scheme === ""
          ? { field: "scheme", expected: "a non-empty string", got: scheme }
          : fieldProblem(node!, false);
      if (problem !== undefined) {
        throw invalid(
          `apply: node ${address} (item ${i}): ${problem.field} must be ${problem.expected}, got ` +
            `${describeValue(problem.got)}${kept}`,
        );
      }
    }
    if (seen.has(address)) {
      throw invalid(
        `apply: address ${address} appears twice; addresses must be unique within a service (the previous ` +
          "node list is kept)",
      );
    }
    seen.add(address);
  }
}
