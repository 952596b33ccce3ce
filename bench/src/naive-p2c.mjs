// The comparison baseline for p2c: a plain, unoptimised port of Kratos's p2c balancer and ewma
// node (go-kratos/kratos selector/p2c/p2c.go, selector/node/ewma/node.go) with the semantics of
// @switchyard/selector-core's ewma node, written the way a first transliteration would be:
//
// - the clock is read wherever Go calls time.Now(): in weight() (for its cache), again in load()
//   when it recomputes, in pickElapsed(), in pick() and in the done callback;
// - in-flight start times live in a doubly linked list (Go's container/list): one element
//   allocated per pick and unlinked per completion;
// - a new closure per pick, two random draws per pick (Go's two Intn calls);
// - the weight cache is a { value, updateAt } object replaced on each refresh;
// - select runs every filter on every call (no cache), like Kratos's default selector.
//
// Units follow our ewma node (milliseconds, latency turned into ns for the square root) so that,
// driven by the same clock and the same draws, this port picks exactly what p2c picks; the test in
// ../test/naive-p2c.test.ts checks that. Not exported from any package: bench only.

import { NoAvailableNodeError } from "@switchyard/api";
import { isNodeFailure } from "@switchyard/selector-core";

const TAU_MS = 600;
const PENALTY = 1e5;
const LATENCY_OFFSET_NS = 5e6;
const WEIGHT_TTL_MS = 5;
const FORCE_PICK_MS = 3000;
const SUCCESS = 1000;

const defaultClock = { now: () => performance.now() };

/** Go's container/list, reduced to what the node uses. */
class List {
  constructor() {
    this.head = null;
    this.tail = null;
    this.length = 0;
  }

  pushBack(value) {
    const element = { value, prev: this.tail, next: null, list: this };
    if (this.tail === null) this.head = element;
    else this.tail.next = element;
    this.tail = element;
    this.length++;
    return element;
  }

  remove(element) {
    if (element.list !== this) return;
    if (element.prev === null) this.head = element.next;
    else element.prev.next = element.next;
    if (element.next === null) this.tail = element.prev;
    else element.next.prev = element.prev;
    element.list = null;
    this.length--;
  }
}

class NaiveEwmaNode {
  constructor(node, clock, isFailure) {
    this.raw = node;
    this.scheme = node.scheme;
    this.address = node.address;
    this.serviceName = node.serviceName;
    this.initialWeight = node.initialWeight;
    this.version = node.version;
    this.metadata = node.metadata;
    this.clock = clock;
    this.isFailure = isFailure;
    this.lag = 0;
    this.sampled = false;
    this.success = SUCCESS;
    this.inflight = 1;
    this.inflights = new List();
    this.stamp = 0;
    this.predictTs = Number.NEGATIVE_INFINITY;
    this.predict = 0;
    this.lastPick = Number.NEGATIVE_INFINITY;
    this.cachedWeight = undefined;
  }

  rebind(node) {
    this.raw = node;
    this.scheme = node.scheme;
    this.serviceName = node.serviceName;
    this.initialWeight = node.initialWeight;
    this.version = node.version;
    this.metadata = node.metadata;
  }

  load() {
    const now = this.clock.now();
    const avgLag = this.lag;
    let predictInterval = avgLag / 5;
    if (predictInterval < 5) predictInterval = 5;
    if (predictInterval > 200) predictInterval = 200;
    if (now - this.predictTs > predictInterval) {
      this.predictTs = now;
      let total = 0;
      let count = 0;
      for (let e = this.inflights.head; e !== null; e = e.next) {
        const lag = now - e.value;
        if (lag > avgLag) {
          count++;
          total += lag;
        }
      }
      this.predict = count > Math.floor(this.inflights.length / 2) + 1 ? total / count : 0;
    }
    if (!this.sampled) return PENALTY * this.inflight;
    const lag = Math.max(this.predict, avgLag);
    return Math.trunc(Math.sqrt(lag * 1e6 + LATENCY_OFFSET_NS)) * this.inflight;
  }

  weight() {
    const cached = this.cachedWeight;
    const now = this.clock.now();
    if (cached === undefined || now - cached.updateAt > WEIGHT_TTL_MS) {
      const value = (this.success * 1e9) / this.load();
      this.cachedWeight = { value, updateAt: now };
      return value;
    }
    return cached.value;
  }

  pickElapsed() {
    return this.clock.now() - this.lastPick;
  }

  pick() {
    const start = this.clock.now();
    this.lastPick = start;
    this.inflight++;
    const element = this.inflights.pushBack(start);
    let called = false;
    return (info) => {
      if (called) return;
      called = true;
      this.inflights.remove(element);
      this.inflight--;
      const now = this.clock.now();
      const td = now - this.stamp;
      this.stamp = now;
      let w = Math.exp(-Math.max(td, 0) / TAU_MS);
      if (!this.sampled) w = 0;
      const lag = Math.max(now - start, 0);
      this.lag = this.lag * w + lag * (1 - w);
      this.sampled = true;
      let success = SUCCESS;
      if (
        isNodeFailure(info) ||
        (this.isFailure !== undefined && info !== undefined && this.isFailure(info))
      ) {
        success = 0;
      }
      this.success = this.success * w + success * (1 - w);
    };
  }
}

class NaiveP2cBalancer {
  constructor(random) {
    this.random = random;
    this.picked = false;
  }

  pick(nodes) {
    if (nodes.length === 1) {
      const done = nodes[0].pick();
      return { node: nodes[0], done };
    }
    const a = Math.floor(this.random() * nodes.length);
    let b = Math.floor(this.random() * (nodes.length - 1));
    if (b >= a) b = b + 1;
    const nodeA = nodes[a];
    const nodeB = nodes[b];
    let pc;
    let upc;
    if (nodeB.weight() > nodeA.weight()) {
      pc = nodeB;
      upc = nodeA;
    } else {
      pc = nodeA;
      upc = nodeB;
    }
    if (upc.pickElapsed() > FORCE_PICK_MS && !this.picked) {
      this.picked = true;
      pc = upc;
      this.picked = false;
    }
    const done = pc.pick();
    return { node: pc, done };
  }
}

class NaiveSelector {
  constructor(options) {
    this.clock = options.clock ?? defaultClock;
    this.isFailure = options.isFailure;
    this.balancer = new NaiveP2cBalancer(options.random ?? Math.random);
    this.nodes = [];
  }

  /** Keeps the state of addresses that stay, like our selector (Kratos rebuilds every node). */
  apply(nodes) {
    const previous = new Map();
    for (const node of this.nodes) previous.set(node.address, node);
    const weighted = [];
    for (const node of nodes) {
      const before = previous.get(node.address);
      if (before !== undefined) {
        before.rebind(node);
        weighted.push(before);
      } else {
        weighted.push(new NaiveEwmaNode(node, this.clock, this.isFailure));
      }
    }
    this.nodes = weighted;
  }

  select(options) {
    let candidates = this.nodes;
    const filters = options?.filters;
    if (filters !== undefined && filters.length > 0) {
      for (const filter of filters) candidates = filter(candidates, options);
    }
    if (candidates.length === 0) {
      throw new NoAvailableNodeError(`naive-p2c: no node matched; ${this.nodes.length} nodes known`);
    }
    const picked = this.balancer.pick(candidates);
    return { node: picked.node.raw, done: picked.done };
  }
}

/**
 * A selector builder for the naive p2c port. Options: `clock` ({ now() } in ms, default
 * performance.now), `random` (default Math.random), `isFailure` (like ewma's).
 */
export function naiveP2c(options = {}) {
  return { build: () => new NaiveSelector(options) };
}
