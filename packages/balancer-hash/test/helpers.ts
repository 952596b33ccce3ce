import type { Node, SelectContext, Selector } from "@switchyard/api";
import { createNode } from "@switchyard/selector-core";
import { hash } from "../src/hash.js";
import type { HashOptions } from "../src/options.js";

/** `count` nodes `10.<a>.<b>.<c>:8000` from number `first` on, with optional weights and versions. */
export function fleet(
  count: number,
  options: { first?: number; weights?: readonly (number | undefined)[]; versions?: readonly string[] } = {},
): Node[] {
  const first = options.first ?? 0;
  return Array.from({ length: count }, (_, k) => {
    const i = first + k;
    return createNode({
      scheme: "http",
      address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:8000`,
      serviceName: "cache",
      initialWeight: options.weights?.[k],
      version: options.versions?.[k] ?? "1.0.0",
    });
  });
}

/** The select options of a call with key `key` (read by {@link byAttribute}). */
export function keyed(key: string | undefined): SelectContext {
  return { attributes: { key } };
}

/** The key function of the tests: the `key` attribute. */
export const byAttribute = (context: SelectContext) => context.attributes?.key as string | undefined;

/** A hash selector keyed on the `key` attribute. */
export function hashSelector(options: Partial<HashOptions> = {}): Selector {
  return hash({ key: byAttribute, ...options }).build();
}

/** Where each key goes, one select+done per key, nothing else in flight. */
export function route(selector: Selector, keys: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const key of keys) {
    const { node, done } = selector.select(keyed(key));
    done();
    out.set(key, node.address);
  }
  return out;
}

/** `count` keys `user-<i>` (from `first`). */
export function keys(count: number, first = 0): string[] {
  return Array.from({ length: count }, (_, i) => `user-${first + i}`);
}

/** How many keys each address holds. */
export function counts(routes: Map<string, string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const address of routes.values()) out.set(address, (out.get(address) ?? 0) + 1);
  return out;
}
