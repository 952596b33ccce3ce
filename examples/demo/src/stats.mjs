// What one run (a balancer over a transport) saw: per-instance counts, each call's start and
// latency, the story's events and the health layer's, and the calls that show broken routing.
import { noteOf, roleOf } from "./scenario.mjs";
import { latencySummary, shareOverTime, windowFor } from "./series.mjs";

export class RunStats {
  constructor(balancer, transport) {
    this.balancer = balancer;
    this.transport = transport;
    this.instances = new Map();
    this.latencies = [];
    this.calls = [];
    this.events = [];
    this.total = 0;
    this.injected = 0;
    this.misrouted = [];
    this.broken = [];
    this.started = performance.now();
  }

  /** Time 0 of the run: its first call is about to start. */
  start() {
    this.started = performance.now();
  }

  /** Milliseconds since the run started. */
  now() {
    return performance.now() - this.started;
  }

  /** A call answered by `instanceId`, started `at` ms into the run. */
  record(instanceId, latencyMs, injectedFailure, at) {
    const s = this.instances.get(instanceId) ?? { requests: 0, errors: 0 };
    s.requests++;
    if (injectedFailure) {
      s.errors++;
      this.injected++;
    }
    this.instances.set(instanceId, s);
    this.latencies.push(latencyMs);
    this.calls.push({ at, id: instanceId });
    this.total++;
  }

  /**
   * Something that happened to an instance: a step of the story or a health transition, at
   * `event.at` if given, else now.
   */
  event(event) {
    this.events.push({ at: this.now(), ...event });
  }

  misroute(detail) {
    this.misrouted.push(detail);
  }

  fail(detail) {
    this.total++;
    this.broken.push(detail);
  }

  summary(instances) {
    const share = (id) => (this.instances.get(id)?.requests ?? 0) / this.total;
    const flaky = instances.find((i) => i.failRate > 0);
    const durationMs = this.calls.reduce((last, call) => Math.max(last, call.at), 0);
    const ids = instances.map((i) => i.id);
    return {
      balancer: this.balancer,
      transport: this.transport,
      requests: this.total,
      errors: this.injected + this.broken.length,
      ...latencySummary(this.latencies),
      misrouted: this.misrouted.length,
      broken: this.broken.length,
      examples: [...this.misrouted, ...this.broken].slice(0, 3),
      flaky: flaky && {
        id: flaky.id,
        note: noteOf(flaky),
        share: share(flaky.id),
        errors: this.instances.get(flaky.id)?.errors ?? 0,
        twin: { id: flaky.twin, share: share(flaky.twin) },
      },
      instances: instances.map((i) => ({
        id: i.id,
        version: i.version,
        weight: i.weight,
        role: roleOf(i),
        note: noteOf(i),
        share: share(i.id),
        errors: this.instances.get(i.id)?.errors ?? 0,
      })),
      durationMs,
      timeline: shareOverTime(this.calls, ids, { windowMs: windowFor(durationMs) }),
      events: eventsWithIds(this.events, instances, this.transport),
    };
  }
}

/**
 * The events in time order, each with the instance `id` (health events name an address: the
 * instance's HTTP or gRPC one), and `at` rounded to the millisecond.
 */
export function eventsWithIds(events, instances, transport) {
  const byAddress = new Map(
    instances.map((i) => [transport === "grpc" ? i.grpcAddress : i.httpAddress, i.id]),
  );
  return events
    .map((e) => ({ ...e, at: Math.round(e.at), id: e.id ?? byAddress.get(e.address) ?? e.address }))
    .sort((a, b) => a.at - b.at);
}
