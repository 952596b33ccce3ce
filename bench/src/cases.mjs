// What the benchmark measures: the selectors under test, the node lists they run over, and one
// operation per case. Everything is built from the public API of the built packages.

import { hash } from "@switchyard/balancer-hash";
import { p2c } from "@switchyard/balancer-p2c";
import { random } from "@switchyard/balancer-random";
import { wrr } from "@switchyard/balancer-wrr";
import { version } from "@switchyard/filter-version";
import { createNode } from "@switchyard/selector-core";
import { naiveP2c } from "./naive-p2c.mjs";

// The keys of the hash rows: each select reads the next of 1,024 (a user id, a session), so every
// case below runs as it is, with no per-call attributes to build.
const KEYS = Array.from({ length: 1024 }, (_, i) => `user-${i}`);
let keyIndex = 0;
const nextKey = () => KEYS[(keyIndex = (keyIndex + 1) & 1023)];
const noKey = () => undefined;

/**
 * The selector builders, by the name the tables use. Each is built with its defaults (endpoint
 * health on); `NAME-nohealth` is the same with `health: false`, what select+done cost before the
 * health layer, so one run shows what it costs.
 */
export const BALANCERS = {
  wrr: () => wrr(),
  "wrr-nohealth": () => wrr({ health: false }),
  // Like for like with the plain port of Kratos: the same cost function.
  p2c: () => p2c({ cost: "kratos" }),
  "p2c-nohealth": () => p2c({ cost: "kratos", health: false }),
  // The default cost (bench/sim shows why).
  "p2c-linear": () => p2c(),
  random: () => random(),
  "random-nohealth": () => random({ health: false }),
  "naive-p2c": () => naiveP2c(),
  // Consistent hashing with bounded loads: a key per call; and calls without a key (two nodes drawn
  // by weight, the one with fewer calls in flight wins).
  hash: () => hash({ key: nextKey }),
  "hash-nokey": () => hash({ key: noKey }),
  "hash-nohealth": () => hash({ key: nextKey, health: false }),
  // The diagnostics channels (selector-core's switchyard:pick, :done, …). `wrr` above runs with no
  // subscriber, as every selector does until something listens; `wrr-bare` is wrr with the select
  // entered past the channel check (what select cost before the channels); `wrr-channels` has a
  // no-op subscriber on every channel (the messages and the timed done alone); `wrr-otel` and
  // `p2c-otel` run with @switchyard/otel enabled over the OpenTelemetry SDK (worker.mjs turns both on
  // for these names: a subscriber is process-wide).
  "wrr-bare": () => bare(wrr()),
  "wrr-channels": () => wrr(),
  "wrr-otel": () => wrr(),
  "p2c-otel": () => p2c({ cost: "kratos" }),
};

/** The channel rows, each against `wrr` (and `p2c-otel` against `p2c`). */
export const WITH_CHANNELS = ["wrr-bare", "wrr-channels", "wrr-otel", "p2c-otel"];

/**
 * A builder whose selectors skip the diagnostics check: `select` calls the default selector's own
 * select path (`choose`, private to selector-core, reached here by name for this comparison only).
 */
function bare(builder) {
  return {
    build() {
      const selector = builder.build();
      if (typeof selector.choose !== "function") {
        throw new Error("bench: the default selector has no choose(); update bare() in bench/src/cases.mjs");
      }
      selector.select = selector.choose;
      return selector;
    },
  };
}

/** The balancers whose health layer the targets price, each against its `-nohealth` twin. */
export const WITH_HEALTH = ["wrr", "p2c", "random", "hash"];

export const SIZES = [10, 1000, 10_000];
/** Size of the apply cases. */
export const APPLY_SIZE = 1000;
/** Nodes swapped between the two lists of the "few changed" apply case. */
export const APPLY_CHANGED = 5;
/** Calls kept in flight by the in-flight cases (a ring of pending done callbacks). */
export const WINDOW = 16;

// Half the nodes run 1.0.0, half 2.0.0; three distinct publisher weights (none = 100, 50, 200).
const WEIGHTS = [undefined, 50, 200];

/** `count` nodes from address number `first` on, as a registry update would deliver them. */
export function makeNodes(count, first = 0) {
  const nodes = new Array(count);
  for (let k = 0; k < count; k++) {
    const i = first + k;
    nodes[k] = createNode({
      scheme: "http",
      address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:8000`,
      serviceName: "helloworld",
      version: i % 2 === 0 ? "1.0.0" : "2.0.0",
      initialWeight: WEIGHTS[i % 3],
      metadata: { zone: `zone-${i % 3}` },
    });
  }
  return nodes;
}

// Created once: a filter is a long-lived object (a transport's per-client filter list).
const V2 = version("2.0.0");
const FILTERED = Object.freeze({ filters: Object.freeze([V2]) });

/**
 * The cases of one balancer, in the order a worker runs them. Each has an `id` (stable across
 * runs) and `setup()`, which builds a fresh selector and returns the operation to measure.
 */
export function casesFor(name) {
  const builder = BALANCERS[name];
  if (builder === undefined) throw new Error(`unknown balancer ${name}`);
  const cases = [];
  for (const size of SIZES) {
    cases.push({
      id: `select/${size}`,
      setup() {
        const selector = builder().build();
        selector.apply(makeNodes(size));
        return () => {
          const { done } = selector.select();
          done({});
        };
      },
    });
    cases.push({
      id: `select-v2/${size}`,
      setup() {
        const selector = builder().build();
        selector.apply(makeNodes(size));
        return () => {
          const { done } = selector.select(FILTERED);
          done({});
        };
      },
    });
  }
  cases.push({
    id: "inflight/10",
    setup() {
      const selector = builder().build();
      selector.apply(makeNodes(10));
      const ring = new Array(WINDOW);
      for (let i = 0; i < WINDOW; i++) ring[i] = selector.select().done;
      let next = 0;
      return () => {
        const { done } = selector.select();
        ring[next]({});
        ring[next] = done;
        next = (next + 1) % WINDOW;
      };
    },
  });
  for (const size of [1000, 10_000]) {
    // Calls with and without a per-call filter interleaved, as when a client routes some
    // requests to a version and leaves the rest unfiltered.
    cases.push({
      id: `mixed/${size}`,
      setup() {
        const selector = builder().build();
        selector.apply(makeNodes(size));
        let filtered = false;
        return () => {
          filtered = !filtered;
          const { done } = filtered ? selector.select(FILTERED) : selector.select();
          done({});
        };
      },
    });
  }
  cases.push(applyCase("apply-few", () => fewChanged()));
  cases.push(applyCase("apply-fresh", () => [makeNodes(APPLY_SIZE), makeNodes(APPLY_SIZE)]));
  cases.push(applyCase("apply-new", () => [makeNodes(APPLY_SIZE), makeNodes(APPLY_SIZE, APPLY_SIZE)]));
  return cases;

  // Alternates between two lists and selects once after each apply, so work a balancer defers
  // to the first pick after a change (wrr builds its plan there) is counted.
  function applyCase(id, lists) {
    return {
      id,
      setup() {
        const [a, b] = lists();
        const selector = builder().build();
        selector.apply(a);
        let flip = false;
        return () => {
          flip = !flip;
          selector.apply(flip ? b : a);
          const { done } = selector.select();
          done({});
        };
      },
    };
  }
}

/** Two 1,000-node lists that share all node objects but {@link APPLY_CHANGED} addresses. */
function fewChanged() {
  const a = makeNodes(APPLY_SIZE);
  const b = a.slice();
  const fresh = makeNodes(APPLY_CHANGED, APPLY_SIZE);
  for (let k = 0; k < APPLY_CHANGED; k++) b[k * Math.floor(APPLY_SIZE / APPLY_CHANGED)] = fresh[k];
  return [a, b];
}
