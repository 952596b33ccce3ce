import type { DoneInfo, Node, SelectOptions, SelectorBuilder } from "@switchyard/api";

/** A selector builder that records what the policy does with the selectors it builds. */
export interface SpySelector extends SelectorBuilder {
  /** Every node list applied, in order (addresses). */
  readonly applied: string[][];
  /** Every outcome reported, with the node's address. */
  readonly done: { address: string; info: DoneInfo | undefined }[];
  /** Nodes applied last. */
  readonly nodes: readonly Node[];
  /** Attributes of each select. */
  readonly attributes: (Readonly<Record<string, unknown>> | undefined)[];
}

/** Wraps `inner` so that tests see applies, selects and done calls. */
export function spySelector(inner: SelectorBuilder): SpySelector {
  const result: SpySelector & { nodes: readonly Node[] } = {
    applied: [],
    done: [],
    nodes: [],
    attributes: [],
    build() {
      const selector = inner.build();
      return {
        apply(nodes) {
          result.applied.push(nodes.map((n) => n.address));
          result.nodes = nodes;
          selector.apply(nodes);
        },
        select(options?: SelectOptions) {
          result.attributes.push(options?.attributes);
          const picked = selector.select(options);
          return {
            node: picked.node,
            done: (info?: DoneInfo) => {
              result.done.push({ address: picked.node.address, info });
              picked.done(info);
            },
          };
        },
      };
    },
  };
  return result;
}
