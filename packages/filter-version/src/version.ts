import { InvalidArgumentError, type Node, type NodeFilter } from "@switchyard/api";

/**
 * A node filter that keeps the nodes whose version is exactly `wanted`. Its result depends on
 * the node list alone, so selectors compute it once per list (`cacheKey` is `version=<wanted>`).
 * @throws InvalidArgumentError when `wanted` is not a string.
 */
export function version(wanted: string): NodeFilter {
  if (typeof wanted !== "string") {
    throw new InvalidArgumentError(`version: expected a version string, got ${typeof wanted}`);
  }
  const filter = (nodes: readonly Node[]): readonly Node[] => {
    let matching = 0;
    for (let i = 0; i < nodes.length; i++) if (nodes[i]!.version === wanted) matching++;
    if (matching === nodes.length) return nodes;
    const kept: Node[] = new Array(matching);
    let k = 0;
    for (let i = 0; i < nodes.length; i++) if (nodes[i]!.version === wanted) kept[k++] = nodes[i]!;
    return kept;
  };
  return Object.defineProperty(filter, "cacheKey", {
    value: `version=${wanted}`,
    enumerable: true,
  }) as NodeFilter;
}
