import type { Attributes, ObservableResult } from "@opentelemetry/api";

/** One endpoint of the gauge: how many selectors hold it ejected now. */
interface Entry {
  readonly attributes: Attributes;
  count: number;
}

/** The key of an endpoint's series: its service, balancer and address. */
export function endpointKey(service: string, balancer: string, address: string): string {
  return `${service}\u0000${balancer}\u0000${address}`;
}

/**
 * The state behind `switchyard.endpoint.ejected`, per endpoint (by `endpointKey`): 1 while some
 * selector holds it ejected, 0 after it returned, and no series once it left the list of a
 * selector that published it. The keys each selector holds ejected are kept by selector, weakly,
 * so that a dropped selector keeps nothing alive.
 */
export class EjectedNodes {
  private readonly entries = new Map<string, Entry>();
  private readonly bySelector = new WeakMap<object, Set<string>>();

  eject(selector: object, key: string, attributes: Attributes): void {
    let held = this.bySelector.get(selector);
    if (held === undefined) this.bySelector.set(selector, (held = new Set()));
    if (held.has(key)) return;
    held.add(key);
    const entry = this.entries.get(key);
    if (entry === undefined) this.entries.set(key, { attributes, count: 1 });
    else entry.count++;
  }

  restore(selector: object, key: string, attributes: Attributes): void {
    const entry = this.entries.get(key);
    if (this.bySelector.get(selector)?.delete(key) && entry !== undefined) entry.count--;
    else if (entry === undefined) this.entries.set(key, { attributes, count: 0 });
  }

  /** The endpoint left `selector`'s list: its series goes once no selector holds it ejected. */
  forget(selector: object, key: string): void {
    const entry = this.entries.get(key);
    if (this.bySelector.get(selector)?.delete(key) && entry !== undefined) entry.count--;
    if (entry !== undefined && entry.count <= 0) this.entries.delete(key);
  }

  observe(result: ObservableResult): void {
    for (const entry of this.entries.values()) result.observe(entry.count > 0 ? 1 : 0, entry.attributes);
  }
}
