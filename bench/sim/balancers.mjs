// What picks the backend of each call: the real selectors, built through their public builders
// and driven through apply/select/done, and the two references every figure is a ratio to.

import { p2c } from "@switchyard/balancer-p2c";
import { random } from "@switchyard/balancer-random";
import { wrr } from "@switchyard/balancer-wrr";

const noop = () => {};

/** A real Switchyard selector: `apply` on every change of the node list, `select` per call. */
class SelectorChooser {
  constructor(builder) {
    this.selector = builder.build();
    this.byNode = new Map();
    this.done = noop;
  }

  update(view) {
    this.byNode = new Map(view.map((b) => [b.node, b]));
    this.selector.apply(view.map((b) => b.node));
  }

  pick() {
    const { node, done } = this.selector.select();
    this.done = done;
    return this.byNode.get(node);
  }
}

/** Reference: plain round robin over the client's node list, ignoring weights and outcomes. */
class RoundRobin {
  constructor() {
    this.view = [];
    this.next = 0;
    this.done = noop;
  }

  update(view) {
    this.view = view;
  }

  pick() {
    if (this.next >= this.view.length) this.next = 0;
    return this.view[this.next++];
  }
}

/**
 * Reference: an oracle that sees every backend's true state. Join-shortest-queue: the backend with
 * the fewest calls queued or in service per worker, ties broken at random; it never sends to a
 * backend that is failing (down, refusing, hanging or answering 503), unless all are. Reads the
 * engine's per-backend arrays (`loads`, `failing`), indexed by backend.
 */
class ShortestQueue {
  constructor({ random, loads, failing }) {
    this.random = random;
    this.loads = loads;
    this.failing = failing;
    this.view = [];
    this.indexes = new Int32Array(0);
    this.done = noop;
  }

  update(view) {
    this.view = view;
    this.indexes = Int32Array.from(view, (b) => b.index);
  }

  pick() {
    const { indexes, loads, failing } = this;
    const n = indexes.length;
    const offset = (this.random() * n) | 0; // scanning from a random start breaks ties fairly
    let best = -1;
    let bestLoad = Number.POSITIVE_INFINITY;
    let fallback = 0;
    let fallbackLoad = Number.POSITIVE_INFINITY;
    for (let k = 0, i = offset; k < n; k++, i = i + 1 === n ? 0 : i + 1) {
      const load = loads[indexes[i]];
      if (load < fallbackLoad) {
        fallback = i;
        fallbackLoad = load;
      }
      if (load < bestLoad && failing[indexes[i]] === 0) {
        best = i;
        bestLoad = load;
      }
    }
    return this.view[best >= 0 ? best : fallback];
  }
}

/**
 * The balancers a run compares, by the name the tables use. `reference` ones are the yardsticks;
 * p2c runs once per ewma cost (`p2c({ cost })`), whichever is the default.
 */
export const BALANCERS = [
  { name: "rr", reference: true, make: () => new RoundRobin() },
  { name: "jsq", reference: true, make: (ctx) => new ShortestQueue(ctx) },
  { name: "wrr", make: ({ clock }) => new SelectorChooser(wrr({ clock })) },
  { name: "random", make: ({ random: r }) => new SelectorChooser(random({ random: r })) },
  {
    name: "p2c-kratos",
    make: ({ clock, random: r }) => new SelectorChooser(p2c({ clock, random: r, cost: "kratos" })),
  },
  {
    name: "p2c-linear",
    make: ({ clock, random: r }) => new SelectorChooser(p2c({ clock, random: r, cost: "linear" })),
  },
];

/** A balancer spec for any selector builder, for experiments: `custom("mine", (ctx) => builder)`. */
export function custom(name, builder) {
  return { name, make: (ctx) => new SelectorChooser(builder(ctx)) };
}
