// What one run (a balancer over a transport) saw: per-instance counts, latencies, and the calls that
// show broken routing.

export class RunStats {
  constructor(balancer, transport) {
    this.balancer = balancer;
    this.transport = transport;
    this.instances = new Map();
    this.latencies = [];
    this.total = 0;
    this.injected = 0;
    this.misrouted = [];
    this.broken = [];
  }

  record(instanceId, latencyMs, injectedFailure) {
    const s = this.instances.get(instanceId) ?? { requests: 0, errors: 0 };
    s.requests++;
    if (injectedFailure) {
      s.errors++;
      this.injected++;
    }
    this.instances.set(instanceId, s);
    this.latencies.push(latencyMs);
    this.total++;
  }

  misroute(detail) {
    this.misrouted.push(detail);
  }

  fail(detail) {
    this.total++;
    this.broken.push(detail);
  }

  percentile(p) {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  }

  summary(instances) {
    const share = (id) => (this.instances.get(id)?.requests ?? 0) / this.total;
    const flaky = instances.find((i) => i.failRate > 0);
    return {
      balancer: this.balancer,
      transport: this.transport,
      requests: this.total,
      errors: this.injected + this.broken.length,
      p50: this.percentile(0.5),
      p99: this.percentile(0.99),
      misrouted: this.misrouted.length,
      broken: this.broken.length,
      examples: [...this.misrouted, ...this.broken].slice(0, 3),
      flaky: flaky && {
        id: flaky.id,
        note: flaky.note,
        share: share(flaky.id),
        errors: this.instances.get(flaky.id)?.errors ?? 0,
        twin: { id: flaky.twin, share: share(flaky.twin) },
      },
      instances: instances.map((i) => ({
        id: i.id,
        version: i.version,
        weight: i.weight,
        note: note(i),
        share: share(i.id),
        errors: this.instances.get(i.id)?.errors ?? 0,
      })),
    };
  }
}

function note(instance) {
  if (instance.leaves) return "leaves mid-run";
  if (instance.late) return "joins mid-run";
  return instance.note ?? "";
}
