import type { KubernetesFault, KubernetesFaultOptions } from "./types.js";

interface Armed {
  readonly fault: KubernetesFault;
  readonly options: KubernetesFaultOptions;
  remaining: number;
}

/** Faults waiting for requests to play on, first armed first played. */
export class FaultQueue {
  private armed: Armed[] = [];

  add(fault: KubernetesFault, options: KubernetesFaultOptions = {}): void {
    const times = options.times ?? 1;
    if (!(times > 0)) throw new RangeError(`kubernetes double: a fault needs times > 0, got ${times}`);
    this.armed.push({
      fault,
      options: { ...options, method: options.method?.toUpperCase() },
      remaining: times,
    });
  }

  /** The fault the next request with this method, path and watch flag plays, if any (consumes one use). */
  take(method: string, path: string, watch: boolean): KubernetesFault | undefined {
    const armed = this.armed.find(
      ({ options: o }) =>
        (o.path === undefined || path.startsWith(o.path)) &&
        (o.method === undefined || o.method === method) &&
        (o.watch === undefined || o.watch === watch),
    );
    if (armed === undefined) return undefined;
    armed.remaining -= 1;
    if (armed.remaining <= 0) this.armed = this.armed.filter((a) => a !== armed);
    return armed.fault;
  }

  clear(): void {
    this.armed = [];
  }
}
