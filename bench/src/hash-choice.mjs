// Why balancer-hash is a ring and not Maglev, in numbers: key spread, keys moved when a node is
// removed or added, table build time and memory, at 10, 1,000 and 10,000 nodes. The ring is the
// shipped one, measured through its public API (`hash()`: apply, then selects); Maglev (Eisenbud
// et al., NSDI 2016: a lookup table of M entries filled by per-node permutations, M the smallest
// prime ≥ max(65,537, 100 × nodes), as its paper and Envoy size it) is a plain reference
// implementation here, for comparison only.
//
//   pnpm turbo run build --filter=@switchyard/bench... && node bench/src/hash-choice.mjs

import { DEFAULT_POINTS, hash, hashKey, MAX_RING_POINTS } from "@switchyard/balancer-hash";
import { createNode } from "@switchyard/selector-core";

const SIZES = [10, 1000, 10_000];

const addressOf = (i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:8000`;
const keysFor = (n) => Array.from({ length: Math.max(100_000, 100 * n) }, (_, i) => `user-${i}`);

// ---- the ring, through hash() ----------------------------------------------------------------

let current;
function ringSelector() {
  return hash({ key: () => current }).build();
}

function ringRoute(selector, keys) {
  const out = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    current = keys[i];
    const { node, done } = selector.select();
    done();
    out[i] = node.address;
  }
  return out;
}

function ringBuildMs(nodes) {
  const times = [];
  for (let run = 0; run < 5; run++) {
    const selector = ringSelector();
    const t0 = performance.now();
    selector.apply(nodes);
    current = "warm";
    selector.select().done();
    times.push(performance.now() - t0);
  }
  return median(times);
}

// ---- Maglev, for reference -------------------------------------------------------------------

function nextPrime(n) {
  const prime = (k) => {
    for (let d = 2; d * d <= k; d++) if (k % d === 0) return false;
    return k > 1;
  };
  while (!prime(n)) n++;
  return n;
}

function maglevTable(addresses, m) {
  const n = addresses.length;
  const offset = new Uint32Array(n);
  const skip = new Uint32Array(n);
  const next = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    offset[i] = hashKey(`${addresses[i]}#offset`) % m;
    skip[i] = (hashKey(`${addresses[i]}#skip`) % (m - 1)) + 1;
  }
  const table = new Int32Array(m).fill(-1);
  let filled = 0;
  for (;;) {
    for (let i = 0; i < n; i++) {
      let c = (offset[i] + next[i] * skip[i]) % m;
      while (table[c] >= 0) {
        next[i]++;
        c = (offset[i] + next[i] * skip[i]) % m;
      }
      table[c] = i;
      next[i]++;
      if (++filled === m) return table;
    }
  }
}

function maglevRoute(addresses, m, keys) {
  const table = maglevTable(addresses, m);
  return keys.map((key) => addresses[table[hashKey(key) % m]]);
}

// ---- measures --------------------------------------------------------------------------------

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

function spread(routes, n) {
  const counts = new Map();
  for (const address of routes) counts.set(address, (counts.get(address) ?? 0) + 1);
  return Math.max(...counts.values()) / (routes.length / n);
}

/** Share of keys that moved, and of those the share that moved between nodes that stayed. */
function moved(before, after, changed) {
  let all = 0;
  let between = 0;
  for (let i = 0; i < before.length; i++) {
    if (before[i] === after[i]) continue;
    all++;
    if (before[i] !== changed && after[i] !== changed) between++;
  }
  return { all: all / before.length, between: between / before.length };
}

const pct = (x) => `${(x * 100).toFixed(2)}%`;
const rows = [];
for (const n of SIZES) {
  const addresses = Array.from({ length: n + 1 }, (_, i) => addressOf(i));
  const nodes = addresses.map((address) => createNode({ scheme: "http", address }));
  const keys = keysFor(n);
  const gone = addresses[n >> 1];

  const selector = ringSelector();
  selector.apply(nodes.slice(0, n));
  const ring = ringRoute(selector, keys);
  selector.apply(nodes.slice(0, n).filter((node) => node.address !== gone));
  const ringRemoved = moved(ring, ringRoute(selector, keys), gone);
  selector.apply(nodes);
  const ringAdded = moved(ring, ringRoute(selector, keys), addresses[n]);
  const points = Math.min(DEFAULT_POINTS, Math.floor(MAX_RING_POINTS / n)) * n;
  // Positions and owners (4 bytes each), and the lookup index of 2^(⌊log2 points⌋ − 1) + 1 entries.
  const bytes = points * 8 + (2 ** (Math.floor(Math.log2(points)) - 1) + 1) * 4;
  rows.push([
    `ring, ${n.toLocaleString("en-US")} nodes`,
    spread(ring, n).toFixed(3),
    `${pct(ringRemoved.all)} (${pct(ringRemoved.between)})`,
    `${pct(ringAdded.all)} (${pct(ringAdded.between)})`,
    `${ringBuildMs(nodes.slice(0, n)).toFixed(1)} ms`,
    `${(bytes / 2 ** 20).toFixed(2)} MiB (${points.toLocaleString("en-US")} points)`,
  ]);

  const m = nextPrime(Math.max(65_537, 100 * n));
  const t0 = performance.now();
  const maglev = maglevRoute(addresses.slice(0, n), m, keys);
  const maglevMs = performance.now() - t0;
  const maglevRemoved = moved(
    maglev,
    maglevRoute(
      addresses.slice(0, n).filter((a) => a !== gone),
      m,
      keys,
    ),
    gone,
  );
  const maglevAdded = moved(maglev, maglevRoute(addresses, m, keys), addresses[n]);
  rows.push([
    `Maglev, ${n.toLocaleString("en-US")} nodes`,
    spread(maglev, n).toFixed(3),
    `${pct(maglevRemoved.all)} (${pct(maglevRemoved.between)})`,
    `${pct(maglevAdded.all)} (${pct(maglevAdded.between)})`,
    `${maglevMs.toFixed(1)} ms`,
    `${((m * 4) / 2 ** 20).toFixed(2)} MiB (M = ${m.toLocaleString("en-US")})`,
  ]);
  process.stderr.write(`hash-choice: ${n} nodes done\n`);
}

const header = [
  "table",
  "busiest ÷ average (keys)",
  "remove 1: keys moved (between others)",
  "add 1: keys moved (between others)",
  "build",
  "memory",
];
console.log(
  `Keys: max(100,000, 100 × nodes) of "user-<i>"; minimal movement is 1/N on remove, 1/(N+1) on add.\n`,
);
console.log(`| ${header.join(" | ")} |`);
console.log(
  `|---|${header
    .slice(1)
    .map(() => "---:")
    .join("|")}|`,
);
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
