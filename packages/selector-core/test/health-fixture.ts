// Shared by the health tests: a selector over direct nodes on the fake clock, a first-candidate
// balancer that records what it saw, a logger that keeps its lines, and the outcomes the transports
// report.

import type { Balancer, DoneInfo, Logger, Node, WeightedNode, WeightedNodeBuilder } from "@switchyard/api";
import { createFakeClock, type FakeClock } from "@switchyard/testkit";
import { direct } from "../src/direct.js";
import type { HealthOptions } from "../src/health/health-options.js";
import { createNode } from "../src/node.js";
import { createSelectorBuilder, type DefaultSelector } from "../src/selector.js";

export const refused: DoneInfo = Object.freeze({
  error: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
  bytesSent: false,
});
export const unavailable: DoneInfo = Object.freeze({ httpStatus: 503, bytesSent: true, bytesReceived: true });
export const ok: DoneInfo = Object.freeze({ httpStatus: 200, bytesSent: true, bytesReceived: true });
export const aborted: DoneInfo = Object.freeze({ error: new DOMException("aborted", "AbortError") });

export const fleet = (n: number): Node[] =>
  Array.from({ length: n }, (_, i) =>
    createNode({ scheme: "http", address: `10.0.0.${i}:80`, serviceName: "helloworld" }),
  );

/** A balancer that picks round robin over whatever it is given, and keeps each list it saw. */
export function roundRobin() {
  const seen: (readonly WeightedNode[])[] = [];
  let next = 0;
  const balancer: Balancer = {
    pick(candidates) {
      seen.push(candidates);
      const node = candidates[next++ % candidates.length]!;
      return { node, done: node.pick() };
    },
  };
  return { seen, builder: { name: "rr", build: () => balancer } };
}

export interface Harness {
  readonly clock: FakeClock;
  readonly selector: DefaultSelector;
  readonly nodes: Node[];
  readonly lines: string[];
  readonly seen: (readonly WeightedNode[])[];
  /** One select, then done with what `outcome` says for the node it got; returns the node's index. */
  call(outcome?: (index: number) => DoneInfo | undefined): number;
  /** `count` calls, each completed at once. */
  calls(count: number, outcome?: (index: number) => DoneInfo | undefined): number[];
  /** The state of node `index`. */
  state(index: number): string;
  /** Addresses the balancer may pick now: the list selects start from. */
  candidates(): string[];
}

/** A selector over `n` direct nodes on the fake clock, round robin, with `health` options. */
export function harness(n: number, health?: HealthOptions | false, apply = true): Harness {
  const clock = createFakeClock();
  const lines: string[] = [];
  const rr = roundRobin();
  const selector = createSelectorBuilder({
    balancer: rr.builder,
    nodeBuilder: direct({ clock }),
    health,
    clock,
    logger: { warn: (message) => lines.push(message) },
  }).build() as DefaultSelector;
  const nodes = fleet(n);
  if (apply) selector.apply(nodes);
  const call = (outcome?: (index: number) => DoneInfo | undefined): number => {
    const { node, done } = selector.select();
    const index = nodes.indexOf(node);
    done(outcome === undefined ? ok : outcome(index));
    return index;
  };
  return {
    clock,
    selector,
    nodes,
    lines,
    seen: rr.seen,
    call,
    calls: (count, outcome) => Array.from({ length: count }, () => call(outcome)),
    state: (index) => selector.health()[index]!.state,
    candidates: () => {
      // The list selects start from (what the balancer is given when no filter narrows it).
      const base = (selector as unknown as { candidates: { base: readonly WeightedNode[] } }).candidates.base;
      return base.map((node) => node.address);
    },
  };
}

/** Fails the calls of the nodes in `bad` with `info`, and answers the others. */
export const failing =
  (bad: readonly number[], info: DoneInfo = unavailable) =>
  (index: number): DoneInfo =>
    bad.includes(index) ? info : ok;

/** A selector whose balancer always picks the first candidate, over `nodeBuilder`, with a logger. */
export function firstSelector(options: {
  clock: FakeClock;
  nodeBuilder: WeightedNodeBuilder;
  logger: Logger;
  health?: HealthOptions;
}) {
  const first: Balancer = { pick: (nodes) => ({ node: nodes[0]!, done: nodes[0]!.pick() }) };
  return createSelectorBuilder({
    balancer: { name: "first", build: () => first },
    nodeBuilder: options.nodeBuilder,
    clock: options.clock,
    logger: options.logger,
    health: options.health,
  }).build() as DefaultSelector;
}
