// What picks the backend of each call: the real selectors, built through their public builders
// and driven through apply/select/done, and the three references the figures are ratios to.

import { p2c } from "@switchyard/balancer-p2c";
import { random } from "@switchyard/balancer-random";
import { wrr } from "@switchyard/balancer-wrr";

const noop = () => {};
/** The health layer's reports (ejections, returns) are not what a run measures: they go nowhere. */
const SILENT = Object.freeze({ warn: noop });

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
 * Reference: an oracle that sees every backend's true state, and never sends to a backend that is
 * failing (down, refusing, hanging, answering 503, or failing a share of its calls) unless all
 * are; ties are broken at random. Join-shortest-queue (`expectedDelay` false) picks the fewest
 * calls queued or in service per worker; shortest-expected-delay (true) the least
 * (calls queued or in service + 1) × mean service time now / workers, so it also knows how fast
 * each backend is at the moment (a slow or cold one). Reads the engine's per-backend arrays
 * (`loads`, `failing`, `service`, `perWorker`), indexed by backend.
 */
class Oracle {
  constructor({ random, loads, failing, service, perWorker }, expectedDelay) {
    this.random = random;
    this.loads = loads;
    this.failing = failing;
    this.service = service;
    this.perWorker = perWorker;
    this.expectedDelay = expectedDelay;
    this.view = [];
    this.indexes = new Int32Array(0);
    this.done = noop;
  }

  update(view) {
    this.view = view;
    this.indexes = Int32Array.from(view, (b) => b.index);
  }

  pick() {
    const { indexes, loads, failing, service, perWorker, expectedDelay } = this;
    const n = indexes.length;
    const offset = (this.random() * n) | 0; // scanning from a random start breaks ties fairly
    let best = -1;
    let bestCost = Number.POSITIVE_INFINITY;
    let fallback = 0;
    let fallbackCost = Number.POSITIVE_INFINITY;
    for (let k = 0, i = offset; k < n; k++, i = i + 1 === n ? 0 : i + 1) {
      const b = indexes[i];
      const cost = expectedDelay ? (loads[b] + perWorker[b]) * service[b] : loads[b];
      if (cost < fallbackCost) {
        fallback = i;
        fallbackCost = cost;
      }
      if (cost < bestCost && failing[b] === 0) {
        best = i;
        bestCost = cost;
      }
    }
    return this.view[best >= 0 ? best : fallback];
  }
}

/** The yardsticks: round robin, and the two oracles. */
export const REFERENCES = [
  { name: "rr", reference: true, make: () => new RoundRobin() },
  { name: "jsq", reference: true, make: (ctx) => new Oracle(ctx, false) },
  { name: "sed", reference: true, make: (ctx) => new Oracle(ctx, true) },
];

/**
 * The selectors under test, by the name the tables use, each built from the run's context and
 * extra builder options (`{ health: false }`, `{ health: { … } }`, or none). p2c runs once per
 * ewma cost (`p2c({ cost })`), whichever is the default.
 */
const SELECTORS = {
  wrr: ({ clock }, extra) => wrr({ clock, logger: SILENT, ...extra }),
  random: ({ clock, random: r }, extra) => random({ clock, random: r, logger: SILENT, ...extra }),
  "p2c-kratos": ({ clock, random: r }, extra) =>
    p2c({ clock, random: r, cost: "kratos", logger: SILENT, ...extra }),
  "p2c-linear": ({ clock, random: r }, extra) =>
    p2c({ clock, random: r, cost: "linear", logger: SILENT, ...extra }),
};

/** The selectors a run compares unless told otherwise. */
export const SELECTOR_NAMES = Object.keys(SELECTORS);

/** A selector's name with this suffix is built with `health: false`. */
export const NO_HEALTH = "-nohealth";

/**
 * The spec of one selector by name: `wrr` is `wrr()` with its default options (plus `health`, when
 * given: the options of the health layer), `wrr-nohealth` is `wrr({ health: false })`. `options`
 * holds what the builder gets beyond the run's clock and random source (each build gets a copy).
 * @throws Error on a name that is not a known selector.
 */
export function selectorSpec(name, health) {
  const off = name.endsWith(NO_HEALTH);
  const base = off ? name.slice(0, -NO_HEALTH.length) : name;
  const build = SELECTORS[base];
  if (build === undefined) {
    const known = SELECTOR_NAMES.flatMap((n) => [n, n + NO_HEALTH]).join(", ");
    throw new Error(`sim: no balancer ${name}; known: ${known}`);
  }
  const options = off ? { health: false } : health === undefined ? {} : { health };
  return { name, base, options, make: (ctx) => new SelectorChooser(build(ctx, structuredClone(options))) };
}

/**
 * The balancers of a run: the references, then `selectors` (names as {@link selectorSpec} takes
 * them); with `compareHealth`, each selector is followed by its `-nohealth` twin, so one run shows
 * the same streams with and without the health layer. `health` is passed to the rows with health.
 */
export function balancers({ selectors = SELECTOR_NAMES, compareHealth = false, health } = {}) {
  const names = compareHealth
    ? selectors.flatMap((n) => (n.endsWith(NO_HEALTH) ? [n] : [n, n + NO_HEALTH]))
    : selectors;
  return [...REFERENCES, ...[...new Set(names)].map((name) => selectorSpec(name, health))];
}

/** The default run: the references and every selector with its default options. */
export const BALANCERS = balancers();

/** A balancer spec for any selector builder, for experiments: `custom("mine", (ctx) => builder)`. */
export function custom(name, builder) {
  return { name, make: (ctx) => new SelectorChooser(builder(ctx)) };
}

/** Whether the built selectors expose a health state (`selector.health()`): the health layer exists. */
export function hasHealthLayer() {
  return typeof wrr().build().health === "function";
}
