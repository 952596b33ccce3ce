// The scenarios of issue #7 and, from `gray-fast` on, of endpoint health (issue 14). Times are
// virtual milliseconds. Unless a scenario says otherwise: 10 backends of 4 workers each, log-normal
// service times with a 10 ms mean (σ 0.5), Poisson arrivals at 70% of the fleet's capacity, a 1 s
// client deadline, a 500 ms discovery lag, 30 s per run of which the first 2 s warm up, and a fault
// from 8 s to 18 s on backend 0.

const LOGNORMAL = Object.freeze({ kind: "lognormal", mean: 10, sigma: 0.5 });
const FAULT = Object.freeze({ from: 8000, to: 18_000 });
/** A gray failure lasts longer: detection over an interval must have time to act, and to undo. */
const GRAY = Object.freeze({ from: 4000, to: 24_000, share: 0.25, nodes: [0] });
const FLEET = Array.from({ length: 10 }, (_, i) => i);

/** `count` backends of 4 workers and 10 ms log-normal service, with `spec`'s fields on top. */
export function fleet(count, spec = {}) {
  return Array.from({ length: count }, () => ({ workers: 4, service: LOGNORMAL, ...spec }));
}

/** A scenario with the defaults above, `fields` on top. */
export function scenario(fields) {
  return {
    backends: fleet(10),
    utilisation: 0.7,
    durationMs: 30_000,
    warmupMs: 2000,
    deadlineMs: 1000,
    discoveryLagMs: 500,
    faults: [],
    target: false,
    healthTargets: [],
    ...fields,
  };
}

/**
 * Every scenario, in table order. `target: true` marks those issue #7 sets p2c's targets for;
 * `healthTargets` names the endpoint-health targets that apply (see health-targets.mjs).
 */
export const SCENARIOS = [
  scenario({
    name: "homogeneous",
    title: "Homogeneous",
    description: "10 identical backends, no fault.",
  }),
  scenario({
    name: "bimodal",
    title: "Homogeneous, bimodal service",
    description: "10 identical backends; 10% of calls take 10× longer than the rest (same 10 ms mean).",
    backends: fleet(10, { service: { kind: "bimodal", mean: 10, slowShare: 0.1, slowFactor: 10 } }),
  }),
  scenario({
    name: "slow-node",
    title: "One node 10× slower",
    description: "Backend 0 serves 10× slower (100 ms mean) from 8 s to 18 s.",
    faults: [{ kind: "slow", nodes: [0], factor: 10, ...FAULT }],
    target: true,
  }),
  scenario({
    name: "fail-fast",
    title: "One node failing fast",
    description:
      "Backend 0 crashes at 8 s (calls in flight reset) and refuses connections (fails in 0.5 ms) until 18 s; " +
      "it stays in discovery.",
    faults: [{ kind: "fail", mode: "refuse", nodes: [0], ...FAULT }],
    target: true,
    healthTargets: ["fullErrors", "p99Sed"],
  }),
  scenario({
    name: "fail-503",
    title: "One node answering 503",
    description: "Backend 0 answers every call 503 at its usual speed from 8 s to 18 s.",
    faults: [{ kind: "fail", mode: 503, nodes: [0], ...FAULT }],
    target: true,
    healthTargets: ["fullErrors", "p99Sed"],
  }),
  scenario({
    name: "fail-slow",
    title: "One node failing slowly (hangs)",
    description:
      "Backend 0 accepts calls and never answers from 8 s to 18 s: each call fails at the 1 s deadline.",
    faults: [{ kind: "fail", mode: "hang", nodes: [0], ...FAULT }],
    target: true,
    healthTargets: ["fullErrors", "p99Sed"],
  }),
  scenario({
    name: "flaky",
    title: "One flaky node",
    description: "Backend 0 answers 20% of its calls 503 (at its usual speed), the whole run.",
    backends: fleet(10).map((b, i) => (i === 0 ? { ...b, errorProb: 0.2 } : b)),
    healthTargets: ["partialErrors", "p99Sed"],
  }),
  scenario({
    name: "uniform-errors",
    title: "Errors everywhere",
    description: "Every backend answers 10% of its calls 503: nothing to steer away from, only noise.",
    backends: fleet(10, { errorProb: 0.1 }),
  }),
  scenario({
    name: "heterogeneous",
    title: "Uneven capacity",
    description:
      "Backends with 2, 2, 2, 4, 4, 4, 8, 8, 8, 8 workers (capacity 1×, 2×, 4×); wrr gets weights equal to " +
      "the worker counts, round robin ignores them.",
    backends: [2, 2, 2, 4, 4, 4, 8, 8, 8, 8].map((workers) => ({
      workers,
      weight: workers,
      service: LOGNORMAL,
    })),
  }),
  scenario({
    name: "degrade",
    title: "A node degrades, then recovers",
    description: "Backend 0's service time ramps from 1× at 8 s to 8× at 13 s and back to 1× at 18 s.",
    faults: [{ kind: "degrade", nodes: [0], factor: 8, from: 8000, peakAt: 13_000, to: 18_000 }],
  }),
  scenario({
    name: "leave-rejoin",
    title: "A node leaves and rejoins",
    description:
      "Backend 0 crashes at 8 s (refused until the client drops it 500 ms later), restarts at 18 s and is " +
      "back in the client's list at 18.5 s.",
    faults: [{ kind: "leave", nodes: [0], ...FAULT }],
  }),
  scenario({
    name: "churn",
    title: "Churn",
    description:
      "Every 2 s from 4 s, one backend crashes and a fresh one (new address) starts; the client sees the " +
      "swap 500 ms later. Off: the crashed node; back: the new one.",
    churn: { startMs: 4000, everyMs: 2000 },
  }),
  scenario({
    name: "scale-100",
    title: "100 backends, 1% slow",
    description: "100 backends of 2 workers, 20 ms mean; backend 0 turns 10× slower at 4 s, for good.",
    backends: fleet(100, { workers: 2, service: { ...LOGNORMAL, mean: 20 } }),
    durationMs: 15_000,
    faults: [{ kind: "slow", nodes: [0], factor: 10, from: 4000, to: Number.POSITIVE_INFINITY }],
  }),
  scenario({
    name: "scale-1000",
    title: "1,000 backends, 1% slow",
    description: "1,000 backends of 2 workers, 50 ms mean; backends 0–9 turn 10× slower at 4 s, for good.",
    backends: fleet(1000, { workers: 2, service: { ...LOGNORMAL, mean: 50 } }),
    durationMs: 12_000,
    faults: [
      {
        kind: "slow",
        nodes: Array.from({ length: 10 }, (_, i) => i),
        factor: 10,
        from: 4000,
        to: Number.POSITIVE_INFINITY,
      },
    ],
  }),
  scenario({
    name: "gray-fast",
    title: "Gray failure, fast: a quarter of one node's calls answered 503 in 1 ms",
    description:
      "From 4 s to 24 s backend 0 answers 25% of its calls 503 in 1 ms, without doing the work (as a " +
      "server shedding load or failing a dependency check answers); the rest are served as usual.",
    faults: [{ kind: "gray", mode: "reject", ...GRAY }],
    healthTargets: ["partialErrors", "p99Sed"],
  }),
  scenario({
    name: "gray-refuse",
    title: "Gray failure, fast: a quarter of one node's connections refused",
    description:
      "From 4 s to 24 s backend 0 refuses 25% of its connections (in 0.5 ms, as when one of four processes " +
      "behind its address has crashed); the rest are served as usual.",
    faults: [{ kind: "gray", mode: "refuse", ...GRAY }],
    healthTargets: ["partialErrors", "p99Sed"],
  }),
  scenario({
    name: "gray-slow",
    title: "Gray failure, slow: a quarter of one node's calls hang to the deadline",
    description:
      "From 4 s to 24 s backend 0 never answers 25% of its calls (each fails at the 1 s deadline); the " +
      "rest are served as usual.",
    faults: [{ kind: "gray", mode: "hang", ...GRAY }],
    healthTargets: ["partialErrors", "p99Sed"],
  }),
  scenario({
    name: "zone-outage",
    title: "Six of ten nodes down (a zone outage)",
    description:
      "Backends 0–5 crash at 8 s and refuse connections until 18 s; they stay in discovery. The load is 70% " +
      "of the four survivors' capacity (28% of the fleet's), so the survivors can carry it.",
    utilisationOf: 0.4,
    faults: [{ kind: "fail", mode: "refuse", nodes: [0, 1, 2, 3, 4, 5], ...FAULT }],
    healthTargets: ["outageErrors", "p99Sed"],
  }),
  scenario({
    name: "fleet-outage",
    title: "The whole fleet down, then back",
    description:
      "All ten backends crash at 8 s and refuse connections until 18 s (they stay in discovery), then " +
      "serve as usual: errors should be back to about 0 at once.",
    durationMs: 25_000,
    faults: [{ kind: "fail", mode: "refuse", nodes: FLEET, ...FAULT, settle: true }],
    healthTargets: ["settle"],
  }),
  scenario({
    name: "flapping",
    title: "A node flapping",
    description:
      "Backend 0 crashes and restarts in a loop: it refuses connections 8–10 s, 12–14 s, 16–18 s and " +
      "20–22 s and serves as usual in between and after.",
    faults: [0, 1, 2, 3].map((k) => ({
      kind: "fail",
      mode: "refuse",
      nodes: [0],
      from: 8000 + 4000 * k,
      to: 10_000 + 4000 * k,
    })),
    healthTargets: ["fullErrors", "p99Sed"],
  }),
  scenario({
    name: "cold-join",
    title: "A cold node joins",
    description:
      "Backend 0 starts and is listed at 8 s, cold: its service time starts 5× slower and converges to " +
      "the usual (1 + 4·e^(−t / 3 s): 2.5× after 3 s, 1.5× after 6 s, 1.1× after 10 s). The load is 70% " +
      "of the ten backends' capacity, so 78% of the nine before it joins.",
    faults: [{ kind: "join", nodes: [0], from: 8000, cold: { factor: 5, tauMs: 3000 } }],
    healthTargets: ["p99Sed"],
  }),
  scenario({
    name: "down-back",
    title: "One node down for 20 s, then back",
    description:
      "Backend 0 crashes at 8 s and refuses connections until 28 s (it stays in discovery), then serves " +
      "as usual; the run goes on to 60 s, so its return is watched for 32 s.",
    durationMs: 60_000,
    faults: [{ kind: "fail", mode: "refuse", nodes: [0], from: 8000, to: 28_000 }],
    healthTargets: ["fullErrors", "recovery60", "p99Sed"],
  }),
];

/**
 * A shorter copy of `s` for smoke runs: every time scaled by `factor` (service times, deadline and
 * lag unchanged).
 */
export function shorten(s, factor) {
  const t = (ms) => (Number.isFinite(ms) ? Math.round((ms * factor) / 50) * 50 : ms);
  return {
    ...s,
    durationMs: t(s.durationMs),
    warmupMs: t(s.warmupMs),
    faults: s.faults.map((f) => ({
      ...f,
      from: t(f.from),
      to: t(f.to),
      ...(f.peakAt !== undefined ? { peakAt: t(f.peakAt) } : {}),
    })),
    ...(s.churn !== undefined ? { churn: { startMs: t(s.churn.startMs), everyMs: t(s.churn.everyMs) } } : {}),
  };
}
