// The discrete-event simulation: backends that queue and serve calls, an open-loop Poisson arrival
// process, client deadlines, faults (whole or partial), joins and churn, all on a virtual clock. A balancer (a real
// Switchyard selector, or one of the references in balancers.mjs) picks a backend per call; the
// fake clock of @switchyard/testkit is moved to each event's time before anything runs, so the ewma
// nodes read the simulated time at pick and at done.

import { createNode } from "@switchyard/selector-core";
import { createFakeClock, seededRandom } from "@switchyard/testkit";
import { sampler, zipf } from "./distributions.mjs";
import { EventHeap } from "./heap.mjs";

/** How a backend answers right now. */
export const UP = 0;
/** Connection refused at once (the process is gone): fails in REFUSE_MS. */
export const REFUSE = 1;
/** Accepts calls and never answers: they fail at the client's deadline. */
export const HANG = 2;
/** Serves calls at its usual speed but answers every one with 503 (a broken dependency). */
export const FAIL_503 = 3;

/** Time to learn that a connection was refused, ms. */
export const REFUSE_MS = 0.5;
/** Time a fast rejection (a 503 answered before any work, as an overloaded server sheds) takes, ms. */
export const REJECT_MS = 1;
/** Width of the buckets that picks are counted in, for shares over time, ms. */
export const BUCKET_MS = 50;

// Outcomes as the HTTP transport reports them: a refused connection sent nothing, a reset one had
// sent its request, a 503 is a reply, a deadline cut a call that had been sent.
const INFO_REFUSED = Object.freeze({
  error: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
  bytesSent: false,
  bytesReceived: false,
});
const INFO_RESET = Object.freeze({
  error: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
  bytesSent: true,
  bytesReceived: false,
});
const INFO_UNAVAILABLE = Object.freeze({ httpStatus: 503, bytesSent: true, bytesReceived: true });
const INFO_DEADLINE = Object.freeze({
  error: new DOMException("deadline exceeded", "TimeoutError"),
  bytesSent: true,
  bytesReceived: false,
});

/** One server instance: `workers` calls served at a time, the rest wait in a FIFO queue. */
export class Backend {
  constructor(index, spec, address) {
    this.index = index;
    this.address = address;
    this.node = createNode({
      scheme: "http",
      address,
      serviceName: "sim",
      initialWeight: spec.weight,
      ...(spec.zone === undefined ? {} : { metadata: { zone: spec.zone } }),
    });
    /** The backend's zone (metadata `zone`), if the scenario has zones. */
    this.zone = spec.zone;
    this.workers = spec.workers;
    this.mean = spec.service.mean;
    this.sample = sampler(spec.service);
    /** Calls per ms this backend completes when healthy. */
    this.capacity = spec.workers / spec.service.mean;
    this.errorProb = spec.errorProb ?? 0;
    this.mode = UP;
    /** Share of calls a gray failure fails (0: none), and how: REFUSE, HANG, or FAIL_503 (fast, REJECT_MS). */
    this.grayShare = 0;
    this.grayMode = UP;
    /** Service-time multiplier; `ramp` (a function of time) overrides it while a degrade runs. */
    this.factor = 1;
    this.ramp = undefined;
    this.busy = 0;
    this.queue = [];
    this.queueHead = 0;
    /** Bumped when the backend loses its calls (killed, or starts hanging): stale completions are ignored. */
    this.generation = 0;
    /** Process running (false before a replacement starts and after a kill). */
    this.running = true;
  }

  /** Calls queued or in service, per worker: what the oracle compares. */
  loadPerWorker() {
    return (this.busy + this.queue.length - this.queueHead) / this.workers;
  }

  /** Whether the backend would fail a call now, or a share of them (the oracles know, balancers must find out). */
  failing() {
    return this.mode !== UP || !this.running || this.grayShare > 0;
  }

  /** Mean service time at `now`, ms: what the shortest-expected-delay oracle knows. */
  serviceAt(now) {
    return this.mean * (this.ramp !== undefined ? this.ramp(now) : this.factor);
  }
}

class Call {
  constructor(arrival, backend, done, u1, u2, uError) {
    this.arrival = arrival;
    this.backend = backend;
    this.done = done;
    this.u1 = u1;
    this.u2 = u2;
    this.uError = uError;
    this.settled = false;
    /** Network time the reply adds on its way back to the client, ms (a call to another zone). */
    this.rttMs = 0;
    this.generation = 0;
    this.info = undefined;
    /** Failed without reaching a worker (refused, or rejected at once): settles at `due` on its own. */
    this.detached = false;
    // Heap fields.
    this.due = 0;
    this.seq = 0;
  }
}

class Control {
  constructor(due, run) {
    this.due = due;
    this.seq = 0;
    this.run = run;
  }
}

/**
 * Runs one scenario with one balancer. `spec.make(ctx)` returns a chooser
 * `{ update(view), pick(key) → Backend }` that leaves the pick's done callback in `chooser.done`
 * (and, when it stands for callers in several zones, the network time of the call's reply in
 * `chooser.rttMs`); `key` is the call's key in scenarios with `keys` (a Zipf law over key numbers),
 * else undefined. Returns the raw measurements (see metrics.mjs for what is derived from them).
 *
 * `ctx` holds what the references read: per backend index, `loads` (calls queued or in service per
 * worker), `failing` (1 while it fails all or a share of its calls), `service` (its mean service
 * time now, ms) and `perWorker` (1 / workers).
 */
export function simulate(scenario, spec, { seed = 1 } = {}) {
  const clock = createFakeClock(0);
  const workload = seededRandom(mix(seed, scenario.name));
  // Every balancer of a scenario draws from the same stream, so variants compare pair-wise.
  const balancerRandom = seededRandom(mix(seed, `${scenario.name}/balancer`));
  const heap = new EventHeap();
  const deadline = scenario.deadlineMs;
  const duration = scenario.durationMs;
  const warmup = scenario.warmupMs;

  // Backends: the initial ones, then the replacements churn will start.
  const backends = scenario.backends.map((b, i) => new Backend(i, b, addressOf(i)));
  const initial = backends.slice();
  const churn = scenario.churn;
  const churnEvents = [];
  if (churn !== undefined) {
    for (let t = churn.startMs, k = 0; t < duration; t += churn.everyMs, k++) {
      const i = backends.length;
      const replacement = new Backend(i, scenario.backends[k % initial.length], addressOf(i));
      replacement.running = false;
      backends.push(replacement);
      churnEvents.push({ at: t, slot: k % initial.length, replacement });
    }
  }
  const capacity = initial.reduce((sum, b) => sum + b.capacity, 0);
  // The utilisation is of the whole fleet's capacity, or of the share of it `utilisationOf` names.
  const rate = scenario.utilisation * capacity * (scenario.utilisationOf ?? 1); // calls per ms

  const buckets = Math.ceil(duration / BUCKET_MS);
  const picks = new Int32Array(backends.length * buckets);
  const totals = new Int32Array(buckets);
  const sharePicks = new Float64Array(backends.length);
  // Calls by the bucket they arrived in, and those of them that failed (whenever they did).
  const arrivals = new Int32Array(buckets);
  const failures = new Int32Array(buckets);
  let latencies = new Float64Array(Math.ceil(rate * (duration - warmup) * 1.1) + 1024);
  let failed = new Uint8Array(latencies.length);
  let recorded = 0;
  let errors = 0;
  let noNode = 0;
  let failingPicks = 0;
  /** Per backend: calls picked and not yet settled (the client's view), and the most at once. */
  const inflight = new Int32Array(backends.length);
  const peakInflight = new Int32Array(backends.length);
  /** Per backend: the most calls it held at once (queued or in service; the server's view). */
  const peakHeld = new Int32Array(backends.length);
  /** Keys (scenario.keys): each call's key from a Zipf law, and after the warm-up each call's key and backend. */
  const nextKey =
    scenario.keys === undefined
      ? undefined
      : zipf(scenario.keys.count, scenario.keys.exponent, seededRandom(mix(seed, `${scenario.name}/keys`)));
  let keyLog = { keys: new Int32Array(0), backends: new Int32Array(0), count: 0 };
  if (nextKey !== undefined) {
    const size = Math.ceil(rate * (duration - warmup) * 1.1) + 1024;
    keyLog = { keys: new Int32Array(size), backends: new Int32Array(size), count: 0 };
  }
  /** Each change of the client's node list: time, the backends in it, and the watched events. */
  const views = [];
  const watches = [];

  // Every backend's true state, for the oracle: calls queued or in service per worker, and whether
  // it is failing. Kept in typed arrays so that scanning 1,000 backends per pick stays cheap.
  const loads = new Float64Array(backends.length);
  const failing = new Uint8Array(backends.length);
  const service = new Float64Array(backends.length);
  const perWorker = Float64Array.from(backends, (b) => 1 / b.workers);
  const touch = (b) => {
    loads[b.index] = b.loadPerWorker();
    failing[b.index] = b.failing() ? 1 : 0;
    service[b.index] = b.serviceAt(clock.now());
  };
  backends.forEach(touch);
  /** Backends whose speed changes by the moment (a degrade, a cold start): their `service` is refreshed per call. */
  let ramping = [];
  const ctx = { clock, random: balancerRandom, scenario, loads, failing, service, perWorker };
  const chooser = spec.make(ctx);
  // Backends that join later are not listed (nor running) until they do.
  const joining = new Set(
    (scenario.faults ?? []).filter((f) => f.kind === "join").flatMap((f) => f.nodes.map((i) => initial[i])),
  );
  for (const b of joining) b.running = false;
  backends.forEach(touch);
  let view = initial.filter((b) => !joining.has(b));
  const setView = (next) => {
    view = next;
    chooser.update(view);
    views.push({ at: clock.now(), backends: view });
  };
  setView(view);

  // ---- backend behaviour ------------------------------------------------------------------------

  const settle = (call, t, info) => {
    call.settled = true;
    inflight[call.backend.index]--;
    if (info !== undefined) failures[(call.arrival / BUCKET_MS) | 0]++;
    if (call.arrival >= warmup) {
      if (recorded === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
        const flags = new Uint8Array(grown.length);
        flags.set(failed);
        failed = flags;
      }
      if (info !== undefined) {
        errors++;
        failed[recorded] = 1;
      }
      latencies[recorded++] = t - call.arrival;
    }
    call.done(info);
  };

  const start = (backend, call, now) => {
    backend.busy++;
    call.generation = backend.generation;
    const factor = backend.ramp !== undefined ? backend.ramp(now) : backend.factor;
    call.due = now + backend.sample(call.u1, call.u2) * factor;
    call.info = backend.mode === FAIL_503 || call.uError < backend.errorProb ? INFO_UNAVAILABLE : undefined;
    heap.push(call);
  };

  /** The call fails after `ms` with `info` without taking a worker. */
  const detach = (call, now, ms, info) => {
    call.detached = true;
    call.info = info;
    call.due = now + ms;
    heap.push(call);
  };

  const arrive = (backend, call, now) => {
    if (!backend.running || backend.mode === REFUSE) {
      detach(call, now, REFUSE_MS, INFO_REFUSED);
    } else if (backend.mode === HANG) {
      // Never answered: the deadline fails it.
    } else if (backend.grayShare > 0 && call.uError >= 1 - backend.grayShare) {
      // A gray failure takes the top of the error draw, so a backend's own errorProb (the bottom)
      // keeps its calls; a hanging call is left to its deadline.
      if (backend.grayMode === REFUSE) detach(call, now, REFUSE_MS, INFO_REFUSED);
      else if (backend.grayMode === FAIL_503) detach(call, now, REJECT_MS, INFO_UNAVAILABLE);
    } else if (backend.busy < backend.workers) {
      start(backend, call, now);
    } else {
      backend.queue.push(call);
    }
    loads[backend.index] = backend.loadPerWorker();
    const held = backend.busy + backend.queue.length - backend.queueHead;
    if (held > peakHeld[backend.index]) peakHeld[backend.index] = held;
  };

  const finish = (call, now) => {
    if (call.detached) {
      if (!call.settled) settle(call, now, call.info);
      return;
    }
    const backend = call.backend;
    if (call.generation !== backend.generation) return; // lost when the backend was killed
    backend.busy--;
    if (!call.settled) {
      if (call.rttMs > 0)
        detach(call, now, call.rttMs, call.info); // the reply is on its way
      else settle(call, now, call.info);
    }
    // Next queued call; calls whose client gave up are dropped (the server sees the cancellation).
    const queue = backend.queue;
    while (backend.queueHead < queue.length && backend.busy < backend.workers) {
      const next = queue[backend.queueHead];
      queue[backend.queueHead++] = undefined;
      if (!next.settled) start(backend, next, now);
    }
    if (backend.queueHead > 1024 && backend.queueHead * 2 > queue.length) {
      backend.queue = queue.slice(backend.queueHead);
      backend.queueHead = 0;
    }
    loads[backend.index] = backend.loadPerWorker();
  };

  /** Drops every call the backend holds: each fails with `info` now, or (undefined) at its deadline. */
  const dropAll = (backend, now, info) => {
    backend.generation++;
    backend.busy = 0;
    const queue = backend.queue;
    backend.queue = [];
    backend.queueHead = 0;
    touch(backend);
    if (info === undefined) return;
    for (const call of queue) if (call !== undefined && !call.settled) settle(call, now, info);
    // Calls in service are in the heap; their completion is now stale, so fail them here.
    for (const event of heap.items) {
      if (event instanceof Call && event.backend === backend && !event.detached && !event.settled) {
        settle(event, now, info);
      }
    }
  };

  // ---- scenario events --------------------------------------------------------------------------

  const at = (t, run) => {
    if (t < Number.POSITIVE_INFINITY) heap.push(new Control(t, run));
  };
  const lag = scenario.discoveryLagMs;

  for (const fault of scenario.faults ?? []) {
    const targets = fault.nodes.map((i) => initial[i]);
    const watched = targets.map((b) => b.index);
    /** At time t, runs `change` on every target backend. */
    const each = (t, change) =>
      at(t, () => {
        for (const b of targets) change(b);
      });
    if (fault.kind === "slow") {
      each(fault.from, (b) => {
        b.factor = fault.factor;
      });
      each(fault.to, (b) => {
        b.factor = 1;
      });
    } else if (fault.kind === "degrade") {
      const { from, peakAt, to, factor } = fault;
      const ramp = (t) =>
        t < peakAt
          ? 1 + ((factor - 1) * (t - from)) / (peakAt - from)
          : 1 + ((factor - 1) * (to - t)) / (to - peakAt);
      each(from, (b) => {
        b.ramp = ramp;
      });
      each(to, (b) => {
        b.ramp = undefined;
      });
    } else if (fault.kind === "fail") {
      const mode = { refuse: REFUSE, hang: HANG, 503: FAIL_503 }[fault.mode];
      each(fault.from, (b) => {
        b.mode = mode;
        // A crash resets the calls in flight; a hang keeps them until their deadline.
        if (mode === REFUSE) dropAll(b, clock.now(), INFO_RESET);
        else if (mode === HANG) dropAll(b, clock.now(), undefined);
      });
      each(fault.to, (b) => {
        b.mode = UP;
      });
    } else if (fault.kind === "gray") {
      // A share of the calls fails (the rest are served as usual): `reject` answers 503 in
      // REJECT_MS without doing the work, `refuse` refuses the connection, `hang` never answers.
      const mode = { refuse: REFUSE, hang: HANG, reject: FAIL_503 }[fault.mode];
      if (mode === undefined || !(fault.share > 0 && fault.share <= 1)) {
        throw new Error("sim: a gray fault needs a mode (refuse, hang, reject) and a share in (0, 1]");
      }
      each(fault.from, (b) => {
        b.grayShare = fault.share;
        b.grayMode = mode;
      });
      each(fault.to, (b) => {
        b.grayShare = 0;
        b.grayMode = UP;
      });
    } else if (fault.kind === "join") {
      // Starts and is listed at `from`; `cold` makes it serve `factor` × slower at first, the
      // excess fading as exp(−t / tauMs) (a JIT or cache warming up).
      const { from, cold } = fault;
      const ramp =
        cold === undefined ? undefined : (t) => 1 + (cold.factor - 1) * Math.exp(-(t - from) / cold.tauMs);
      each(from, (b) => {
        b.running = true;
        b.ramp = ramp;
      });
      at(from, () => setView([...view, ...targets.filter((b) => !view.includes(b))]));
      watches.push({ kind: "back", at: from, nodes: watched });
      continue;
    } else if (fault.kind === "leave") {
      each(fault.from, (b) => {
        b.running = false;
        dropAll(b, clock.now(), INFO_RESET);
      });
      at(fault.from + lag, () => setView(view.filter((b) => !targets.includes(b))));
      each(fault.to, (b) => {
        b.running = true;
      });
      at(fault.to + lag, () => setView([...view, ...targets.filter((b) => !view.includes(b))]));
    } else {
      throw new Error(`sim: unknown fault kind ${fault.kind}`);
    }
    const back = fault.kind === "leave" ? fault.to + lag : fault.to;
    // A fault on the whole fleet has no share to move; `settle` watches the errors after it ends.
    if (watched.length < initial.length) {
      watches.push({ kind: "off", at: fault.from, nodes: watched });
      if (back < duration) watches.push({ kind: "back", at: back, nodes: watched });
    }
    if (fault.settle === true && back < duration) watches.push({ kind: "settle", at: back, nodes: watched });
  }

  // Churn: a running backend is killed (its calls reset, new ones refused); its replacement starts
  // at once, and the client learns of both one discovery lag later.
  const slots = initial.slice();
  for (const event of churnEvents) {
    at(event.at, () => {
      const victim = slots[event.slot];
      victim.running = false;
      dropAll(victim, clock.now(), INFO_RESET);
      event.replacement.running = true;
      slots[event.slot] = event.replacement;
      at(event.at + lag, () => setView([...view.filter((b) => b !== victim), event.replacement]));
      watches.push({ kind: "off", at: event.at, nodes: [victim.index] });
      watches.push({ kind: "back", at: event.at + lag, nodes: [event.replacement.index] });
    });
  }

  // ---- the event loop ---------------------------------------------------------------------------

  const pending = []; // calls in arrival order, for deadlines (all deadlines are arrival + D)
  let pendingHead = 0;
  let nextArrival = -Math.log(1 - workload()) / rate;

  for (;;) {
    const tHeap = heap.peekDue();
    const tDeadline = pendingHead < pending.length ? pending[pendingHead].arrival + deadline : Infinity;
    const tArrival = nextArrival < duration ? nextArrival : Infinity;
    const t = Math.min(tHeap, tDeadline, tArrival);
    if (t === Infinity) break;
    const step = t - clock.now();
    if (step > 0) clock.advance(step);

    if (tHeap === t) {
      const event = heap.pop();
      if (event instanceof Call) finish(event, t);
      else {
        event.run();
        backends.forEach(touch); // faults and churn change who is failing
        ramping = backends.filter((b) => b.ramp !== undefined);
      }
    } else if (tDeadline === t) {
      const call = pending[pendingHead];
      pending[pendingHead++] = undefined;
      if (!call.settled) settle(call, t, INFO_DEADLINE);
      if (pendingHead > 65536) {
        pending.splice(0, pendingHead);
        pendingHead = 0;
      }
    } else {
      // An arrival: four draws per call whatever happens to it, so every balancer sees the same workload.
      const u1 = workload();
      const u2 = workload();
      const uError = workload();
      nextArrival = t - Math.log(1 - workload()) / rate;
      for (const b of ramping) service[b.index] = b.serviceAt(t);
      const bucket = (t / BUCKET_MS) | 0;
      arrivals[bucket]++;
      // The key is drawn from its own stream: scenarios without keys see the same workload as before.
      const key = nextKey === undefined ? undefined : nextKey();
      let backend;
      try {
        backend = chooser.pick(key);
      } catch (error) {
        if (error?.code !== "NO_AVAILABLE_NODE") throw error;
        noNode++;
        failures[bucket]++;
        if (t >= warmup) errors++;
        continue;
      }
      picks[backend.index * buckets + bucket]++;
      totals[bucket]++;
      if (++inflight[backend.index] > peakInflight[backend.index])
        peakInflight[backend.index] = inflight[backend.index];
      if (key !== undefined && t >= warmup) {
        if (keyLog.count === keyLog.keys.length) keyLog = grownLog(keyLog);
        keyLog.keys[keyLog.count] = key;
        keyLog.backends[keyLog.count++] = backend.index;
      }
      if (t >= warmup) {
        sharePicks[backend.index]++;
        if (backend.failing()) failingPicks++;
      }
      const call = new Call(t, backend, chooser.done, u1, u2, uError);
      // A chooser that stands for callers in several zones says what the call's way back costs.
      call.rttMs = chooser.rttMs ?? 0;
      pending.push(call);
      arrive(backend, call, t);
    }
  }

  return {
    scenario: scenario.name,
    balancer: spec.name,
    latencies: latencies.subarray(0, recorded),
    failed: failed.subarray(0, recorded),
    errors,
    noNode,
    failingPicks,
    backends: backends.map((b) => ({
      index: b.index,
      address: b.address,
      capacity: b.capacity,
      zone: b.zone,
    })),
    peakInflight: Array.from(peakInflight),
    peakHeld: Array.from(peakHeld),
    keyLog,
    sharePicks,
    picks,
    totals,
    arrivals,
    failures,
    buckets,
    views,
    watches,
  };
}

function grownLog(log) {
  const keys = new Int32Array(log.keys.length * 2);
  const backends = new Int32Array(log.keys.length * 2);
  keys.set(log.keys);
  backends.set(log.backends);
  return { keys, backends, count: log.count };
}

function addressOf(i) {
  return `10.0.${(i >> 8) & 255}.${i & 255}:8080`;
}

/** Mixes a seed and a label into a 32-bit seed, so each scenario and balancer has its own stream. */
export function mix(seed, label) {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
