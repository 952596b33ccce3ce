import type { Node } from "@switchyard/api";
import { Pool } from "undici";

/**
 * One undici `Pool` per node: a request goes to its node's pool with its options unchanged, no URL
 * and no lookup by origin string (an undici `Agent` needs `opts.origin` rewritten onto the node,
 * then finds the pool by that string). A pool's `Client`s take their origin from the pool, so a
 * request's own `origin` (a placeholder host) is never read.
 *
 * A pool lives while its node is in the list: `retain` closes the pools of nodes that left, once
 * their requests in flight are done (undici's `close`). Idle connections close on undici's
 * keep-alive timeout meanwhile, so a kept pool holds no socket it does not use.
 */
export class NodePools {
  private readonly options: Pool.Options;
  /** The pool of each node object the selector handed out (a new object of an address finds it by origin). */
  private readonly byNode = new WeakMap<Node, Pool>();
  private readonly byOrigin = new Map<string, Pool>();
  /** Pools of nodes that left, closing once their requests are done. */
  private readonly retiring = new Set<Pool>();
  private state: "open" | "closed" | "destroyed" = "open";

  constructor(options: Pool.Options) {
    this.options = options;
  }

  /** False once `close` or `destroy` was called. */
  get open(): boolean {
    return this.state === "open";
  }

  /** The pool of `node`; `undefined` once `close` or `destroy` was called. */
  get(node: Node): Pool | undefined {
    const pool = this.byNode.get(node);
    if (pool !== undefined && !pool.closed && !pool.destroyed) return pool;
    return this.create(node);
  }

  /** Closes the pools of the nodes not in `nodes` (requests in flight on them finish first). */
  retain(nodes: readonly Node[]): void {
    if (this.state !== "open") return;
    const kept = new Set<string>();
    for (const node of nodes) kept.add(originOf(node));
    for (const [origin, pool] of this.byOrigin) {
      if (kept.has(origin)) continue;
      this.byOrigin.delete(origin);
      this.retiring.add(pool);
      pool.close().then(
        () => this.retiring.delete(pool),
        () => this.retiring.delete(pool),
      );
    }
  }

  /** Closes every pool once its requests are done; later `get`s give `undefined`. */
  async close(): Promise<void> {
    if (this.state === "open") this.state = "closed";
    await Promise.all(this.all().map((pool) => (pool.destroyed ? undefined : pool.close())));
  }

  /** Destroys every pool, failing its requests in flight; later `get`s give `undefined`. */
  async destroy(): Promise<void> {
    this.state = "destroyed";
    await Promise.all(this.all().map((pool) => (pool.destroyed ? undefined : pool.destroy())));
  }

  private all(): Pool[] {
    return [...this.byOrigin.values(), ...this.retiring];
  }

  private create(node: Node): Pool | undefined {
    if (this.state !== "open") return undefined;
    const origin = originOf(node);
    let pool = this.byOrigin.get(origin);
    if (pool === undefined || pool.closed || pool.destroyed) {
      pool = new Pool(origin, this.options);
      this.byOrigin.set(origin, pool);
    }
    this.byNode.set(node, pool);
    return pool;
  }
}

function originOf(node: Node): string {
  return `${node.scheme}://${node.address}`;
}
