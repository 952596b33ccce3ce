import type { ConsulFault, ConsulFaultOptions } from "./types.js";

interface Armed {
  readonly fault: ConsulFault;
  readonly path: string | undefined;
  readonly method: string | undefined;
  remaining: number;
}

/** Faults waiting for requests to play on, first armed first played. */
export class FaultQueue {
  private armed: Armed[] = [];

  add(fault: ConsulFault, options: ConsulFaultOptions = {}): void {
    const times = options.times ?? 1;
    if (!(times > 0)) throw new RangeError(`consul double: a fault needs times > 0, got ${times}`);
    this.armed.push({ fault, path: options.path, method: options.method?.toUpperCase(), remaining: times });
  }

  /** The fault the next request with this method and path plays, if any (consumes one use). */
  take(method: string, path: string): ConsulFault | undefined {
    const armed = this.armed.find(
      (a) =>
        (a.path === undefined || path.startsWith(a.path)) && (a.method === undefined || a.method === method),
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
