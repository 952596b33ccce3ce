import type { NodeFilter, SelectOptions } from "@switchyard/api";

/** What the select options read of a request. */
interface RequestShape {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: unknown;
}

/**
 * The select options of one request: the filters, the request's abort signal, and its attributes
 * (`method`, `path`, `headers`) for filters and the balancer (`keyFromHeader` of consistent hashing
 * reads them). One small object per request; the attributes object is made only when something
 * reads it.
 */
export class RequestSelectOptions implements SelectOptions {
  readonly filters: readonly NodeFilter[];
  readonly signal: AbortSignal | undefined;
  private readonly request: RequestShape;
  private read: Readonly<Record<string, unknown>> | undefined = undefined;

  constructor(filters: readonly NodeFilter[], request: RequestShape, signal: AbortSignal | undefined) {
    this.filters = filters;
    this.request = request;
    this.signal = signal;
  }

  get attributes(): Readonly<Record<string, unknown>> {
    const request = this.request;
    this.read ??= { method: request.method, path: request.path, headers: request.headers };
    return this.read;
  }
}
