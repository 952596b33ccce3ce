/** What every double's fault options hold: which requests a fault plays on, and how many times. */
export interface FaultMatch {
  /** Requests whose path starts with this; default any. */
  readonly path?: string;
  /** Requests with this method (any case); default any. */
  readonly method?: string;
  /** How many matching requests it plays on; default 1. */
  readonly times?: number;
}

interface Armed<Fault, Options> {
  readonly fault: Fault;
  readonly options: Options;
  remaining: number;
}

/** Faults waiting for requests to play on, first armed first played (every API double's). */
export class FaultQueue<Fault, Options extends FaultMatch> {
  private armed: Armed<Fault, Options>[] = [];

  /** `double` names the double in errors ("consul", "kubernetes"). */
  constructor(private readonly double: string) {}

  add(fault: Fault, options: Options = {} as Options): void {
    const times = options.times ?? 1;
    if (!(times > 0)) throw new RangeError(`${this.double} double: a fault needs times > 0, got ${times}`);
    this.armed.push({
      fault,
      options: { ...options, method: options.method?.toUpperCase() },
      remaining: times,
    });
  }

  /**
   * The fault the next request with this method and path plays, if any, among those whose options
   * also pass `matches` (consumes one use).
   */
  take(method: string, path: string, matches?: (options: Options) => boolean): Fault | undefined {
    const armed = this.armed.find(
      ({ options: o }) =>
        (o.path === undefined || path.startsWith(o.path)) &&
        (o.method === undefined || o.method === method) &&
        (matches === undefined || matches(o)),
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
