// The routing scenarios (issue 17): hot keys under consistent hashing, and callers in three zones
// with a network penalty on calls to another zone. Same model as scenarios.mjs (10 ms log-normal
// service, 4 workers a backend, 70% utilisation, 1 s deadline, 30 s with a 2 s warm-up); what
// differs is said per scenario. The selectors are the real ones, keyed through the select context
// (`attributes.key`) and filtered per call (`filters`).

import { hash } from "@switchyard/balancer-hash";
import { p2c } from "@switchyard/balancer-p2c";
import { createNode, preferZone } from "@switchyard/selector-core";
import { fleet, scenario } from "./scenarios.mjs";

/** The network time a call to another zone than its caller's adds, ms. */
export const CROSS_ZONE_MS = 2;

/** Backends in zones given as counts, `{ a: 4, b: 4, c: 4 }`, in that order. */
function zoned(counts) {
  return Object.entries(counts).flatMap(([zone, count]) => fleet(count, { zone }));
}

const CALLERS =
  "Callers in zones a, b and c (a third of the calls each, one selector per zone) load the fleet at 70% of its " +
  `capacity; a call to another zone than its caller's takes ${CROSS_ZONE_MS} ms more.`;

export const ROUTING_SCENARIOS = [
  scenario({
    name: "hot-keys",
    kind: "keys",
    title: "Hot keys (Zipf, exponent 1)",
    description:
      "10 backends; every call carries one of 10,000 keys drawn from a Zipf law (exponent 1): the hottest key " +
      "is 10% of all calls, the ten hottest 30%.",
    keys: { count: 10_000, exponent: 1 },
  }),
  scenario({
    name: "hot-keys-steep",
    kind: "keys",
    title: "Hot keys (Zipf, exponent 1.2)",
    description:
      "As hot-keys with a steeper law (exponent 1.2): the hottest key is 21% of all calls (twice a backend's share), " +
      "the ten hottest 51%.",
    keys: { count: 10_000, exponent: 1.2 },
  }),
  scenario({
    name: "zones-even",
    kind: "zones",
    title: "Three even zones",
    description: `Zones a, b, c of 4 backends each. ${CALLERS}`,
    backends: zoned({ a: 4, b: 4, c: 4 }),
  }),
  scenario({
    name: "zones-small-local",
    kind: "zones",
    title: "A one-backend zone",
    description:
      `Zones a, b, c of 1, 4 and 4 backends. ${CALLERS} Zone a's callers alone send 2.1 backends' worth: ` +
      "twice what zone a can serve.",
    backends: zoned({ a: 1, b: 4, c: 4 }),
  }),
  scenario({
    name: "zones-thin-local",
    kind: "zones",
    title: "A two-backend zone among larger ones",
    description:
      `Zones a, b, c of 2, 4 and 4 backends. ${CALLERS} Zone a's callers send 2.3 backends' worth: 117% of ` +
      "zone a's two.",
    backends: zoned({ a: 2, b: 4, c: 4 }),
  }),
  scenario({
    name: "zones-local-outage",
    kind: "zones",
    title: "Three even zones, three of zone a's four backends down for 10 s",
    description:
      `As zones-even; backends 0–2 (three of zone a's four) crash at 8 s and leave discovery 500 ms later; they ` +
      "restart at 18 s and are listed again at 18.5 s.",
    backends: zoned({ a: 4, b: 4, c: 4 }),
    faults: [{ kind: "leave", nodes: [0, 1, 2], from: 8000, to: 18_000 }],
  }),
];

const noop = () => {};
const byKey = (context) => context.attributes?.key;

/** A real selector; the call's key (if any) goes in `attributes.key`, `filters` on every select. */
class RoutingChooser {
  constructor(builder, filters = []) {
    this.selector = builder.build();
    this.filters = filters;
    this.plain = filters.length === 0 ? undefined : { filters };
    this.byNode = new Map();
    this.names = [];
    this.done = noop;
  }

  update(view) {
    this.byNode = new Map(view.map((b) => [b.node, b]));
    this.selector.apply(view.map((b) => b.node));
  }

  pick(key) {
    let options = this.plain;
    if (key !== undefined) {
      this.names[key] ??= `k${key}`;
      options = { attributes: { key: this.names[key] }, filters: this.filters };
    }
    const { node, done } = this.selector.select(options);
    this.done = done;
    return this.byNode.get(node);
  }
}

/**
 * Callers in several zones: one selector per zone (its filters made for that zone), the calls
 * dealt to the zones in turn. Counts, after the warm-up, the calls that stayed in their caller's
 * zone; tells the engine the reply's network time (`rttMs`).
 */
class ZoneCallers {
  constructor(ctx, zones, makeSelector) {
    this.zones = zones;
    this.choosers = zones.map((zone) => makeSelector(zone));
    this.clock = ctx.clock;
    this.warmupMs = ctx.scenario.warmupMs;
    this.turn = 0;
    this.done = noop;
    this.rttMs = 0;
    this.local = 0;
    this.counted = 0;
  }

  update(view) {
    for (const chooser of this.choosers) chooser.update(view);
  }

  pick() {
    const z = this.turn;
    this.turn = (z + 1) % this.zones.length;
    const chooser = this.choosers[z];
    const backend = chooser.pick(undefined);
    this.done = chooser.done;
    const local = backend.zone === this.zones[z];
    this.rttMs = local ? 0 : CROSS_ZONE_MS;
    if (this.clock.now() >= this.warmupMs) {
      this.counted++;
      if (local) this.local++;
    }
    return backend;
  }
}

const ZONES = ["a", "b", "c"];

const keyed = (name, builder) => ({ name, make: (ctx) => new RoutingChooser(builder(ctx)) });
const zonal = (name, filters) => ({
  name,
  make: (ctx) =>
    new ZoneCallers(
      ctx,
      ZONES,
      (zone) => new RoutingChooser(p2c({ clock: ctx.clock, random: ctx.random }), filters(zone)),
    ),
});

/** The rows of each kind of scenario. */
export const ROUTING_BALANCERS = {
  keys: [
    keyed("p2c (no affinity)", ({ clock, random }) => p2c({ clock, random })),
    keyed("hash, loadFactor 1.25", ({ clock, random }) => hash({ key: byKey, clock, random })),
    keyed("hash, loadFactor 2", ({ clock, random }) => hash({ key: byKey, clock, random, loadFactor: 2 })),
    keyed("hash, unbounded", ({ clock, random }) =>
      hash({ key: byKey, clock, random, loadFactor: Number.POSITIVE_INFINITY }),
    ),
  ],
  zones: [
    zonal("p2c, no zone filter", () => []),
    zonal("p2c + preferZone() (min 2 nodes, 0.75 of an even share)", (zone) => [preferZone({ zone })]),
    zonal("p2c + preferZone({ minShare: 0 }) (min 2 nodes)", (zone) => [preferZone({ zone, minShare: 0 })]),
    zonal("p2c + preferZone({ minNodes: 1, minShare: 0 }) (any node in the zone)", (zone) => [
      preferZone({ zone, minNodes: 1, minShare: 0 }),
    ]),
  ],
};

/**
 * Each key's home: the backend (index into `addresses`) consistent hashing without a bound gives
 * it over those addresses. The ring depends on addresses alone, so this is the ring the runs used.
 */
export function homes(addresses, count) {
  const selector = hash({ key: byKey, loadFactor: Number.POSITIVE_INFINITY }).build();
  selector.apply(addresses.map((address) => createNode({ scheme: "http", address, serviceName: "sim" })));
  const out = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    const { node, done } = selector.select({ attributes: { key: `k${k}` } });
    done();
    out[k] = addresses.indexOf(node.address);
  }
  return out;
}
