import type { DoneInfo, SelectorBuilder } from "@switchyard/api";
import { wrr } from "@switchyard/balancer-wrr";

/**
 * wrr, recording every outcome reported to it (reply metadata left out: it is a view of the
 * handler). With `throwing`, each done callback throws it after recording and passing the outcome
 * on, as a broken third-party selector would.
 */
export function recordingSelector(outcomes: DoneInfo[], throwing?: Error): SelectorBuilder {
  return {
    build() {
      const inner = wrr().build();
      return {
        apply: (nodes) => inner.apply(nodes),
        select(options) {
          const picked = inner.select(options);
          return {
            node: picked.node,
            done: (info) => {
              outcomes.push({ ...info, replyMetadata: undefined });
              picked.done(info);
              if (throwing !== undefined) throw throwing;
            },
          };
        },
      };
    },
  };
}
