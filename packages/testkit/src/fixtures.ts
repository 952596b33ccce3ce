import type { Metadata, Node } from "@switchyard/api";

/** What {@link makeNode} takes. */
export interface FixtureNodeInit {
  readonly address: string;
  readonly scheme?: string;
  readonly serviceName?: string;
  readonly version?: string;
  readonly initialWeight?: number;
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * A plain frozen node for tests (what a registry-fed selector would get), built without
 * `@switchyard/selector-core` so third-party packages can test against the API alone.
 */
export function makeNode(init: FixtureNodeInit): Node {
  const metadata = Object.assign(Object.create(null) as Record<string, string>, init.metadata ?? {});
  return Object.freeze({
    scheme: init.scheme ?? "http",
    address: init.address,
    serviceName: init.serviceName ?? "helloworld",
    initialWeight: init.initialWeight,
    version: init.version ?? "1.0.0",
    metadata: Object.freeze(metadata) as Metadata,
  });
}

/** `count` nodes at `10.0.0.<i>:8000`, with optional per-node weights and versions. */
export function makeNodes(
  count: number,
  options: { weights?: readonly number[]; versions?: readonly string[]; serviceName?: string } = {},
): Node[] {
  return Array.from({ length: count }, (_, i) =>
    makeNode({
      address: `10.0.${(i >> 8) & 255}.${i & 255}:8000`,
      initialWeight: options.weights?.[i],
      version: options.versions?.[i] ?? "1.0.0",
      serviceName: options.serviceName ?? "helloworld",
    }),
  );
}

/** A seeded uniform random source in [0, 1) (mulberry32), for reproducible balancer tests. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
