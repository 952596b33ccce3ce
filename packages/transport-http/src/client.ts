import {
  getGlobalSelector,
  InvalidArgumentError,
  type Logger,
  type NodeFilter,
  type Selector,
} from "@switchyard/api";
import { wrr } from "@switchyard/balancer-wrr";
import { warnSafely } from "@switchyard/kit";
import { createSelectorResolver, DEFAULT_READY_TIMEOUT_MS, type Resolver } from "@switchyard/selector-core";
import { Dispatcher } from "undici";
import { ClientCall, type RetryPolicy } from "./call.js";
import { SwitchyardDispatcher } from "./dispatcher.js";
import { HttpStatusError } from "./errors.js";
import type { HttpClientOptions } from "./options.js";
import { NodePools } from "./pools.js";
import { ThrowReport } from "./report.js";
import { RetryBudget } from "./retry-budget.js";
import { closedError, Router } from "./router.js";
import { parseTarget } from "./target.js";
import { checkOptions } from "./validate.js";

/** Options of one `client.request`. */
export interface RequestInit {
  /** Default GET. */
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array | null;
  readonly signal?: AbortSignal;
  /** Filters for this request only, after the client's. */
  readonly filters?: readonly NodeFilter[];
}

/** A reply: status, headers, the node that answered, and the body (read it or `dump()` it). */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** `host:port` of the node that answered. */
  readonly address: string;
  readonly body: Dispatcher.ResponseData["body"];
}

/** A discovery-aware HTTP client; see `createClient`. */
export interface HttpClient {
  /** The undici dispatcher: `fetch(url, { dispatcher })`, `request(url, { dispatcher })`. */
  readonly dispatcher: SwitchyardDispatcher;
  /** Sends one request to a node picked by the selector. `path` starts with "/". */
  request(path: string, init?: RequestInit): Promise<HttpResponse>;
  /** `request`, then the body as JSON; a non-2xx reply throws `HttpStatusError`. */
  json<T = unknown>(path: string, init?: RequestInit): Promise<T>;
  /**
   * Resolves once the first non-empty node list is in (at once for a fixed endpoint). Rejects with
   * `ResolveTimeoutError` after `timeoutMs` (default 10 s) and with `ResolverClosedError` when the
   * client closes first (both exported by this package).
   */
  ready(options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<void>;
  /** Stops the registry watch and closes the connections once requests in flight finish. */
  close(): Promise<void>;
  /** Stops the watch and aborts requests in flight. */
  destroy(): Promise<void>;
}

const DEFAULT_RETRY_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"];
const NO_INIT: RequestInit = {};
const NO_RETRY: RetryPolicy = { attempts: 1, budget: undefined };
/** undici's `request()` as a method: run with a {@link ClientCall} as its dispatcher. */
const undiciRequest = Dispatcher.prototype.request as (
  this: ClientCall,
  options: Dispatcher.RequestOptions<ClientCall>,
  callback: (
    error: Error | null,
    data: { opaque: ClientCall } & Partial<Dispatcher.ResponseData<ClientCall>>,
  ) => void,
) => void;

/**
 * Creates a client for `endpoint`. With `block`, waits for the first non-empty instance list and
 * rejects with `ResolveTimeoutError` (naming the service) when none arrives in time.
 * @throws InvalidArgumentError on bad options (before anything starts).
 */
export async function createClient(options: HttpClientOptions): Promise<HttpClient> {
  checkOptions(options);
  const target = parseTarget(options.endpoint);
  const selector = (options.selector ?? getGlobalSelector() ?? wrr({ clock: options.clock })).build();
  if (target.kind === "discovery" && options.discovery === undefined) {
    throw new InvalidArgumentError(
      `transport-http: endpoint ${options.endpoint} needs a discovery (for example createMemoryRegistry() or a Consul registry)`,
    );
  }
  const pools = new NodePools({
    connect: { ...options.tls, timeout: options.connectTimeoutMs ?? 10_000 } as never,
    headersTimeout: options.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs,
    connections: options.connections ?? null,
  });
  let resolver: Resolver | undefined;
  if (target.kind === "discovery") {
    resolver = createSelectorResolver({
      discovery: options.discovery!,
      serviceName: target.serviceName,
      family: "http",
      selector,
      // The pools of nodes that left close once their requests are done.
      onUpdate: (update) => pools.retain(update.nodes),
      subsetSize: options.subsetSize,
      subsetKey: options.subsetKey,
      clock: options.clock,
      logger: options.logger,
      backoff: options.backoff,
    });
  } else {
    selector.apply([target.node]);
  }
  const client = new Client(options, selector, pools, resolver);
  if (options.block && resolver !== undefined) {
    const timeoutMs =
      (typeof options.block === "object" && options.block.timeoutMs) || DEFAULT_READY_TIMEOUT_MS;
    try {
      await resolver.ready({ timeoutMs });
    } catch (error) {
      await client.destroy();
      throw error;
    }
  }
  return client;
}

class Client implements HttpClient {
  readonly dispatcher: SwitchyardDispatcher;
  private readonly router: Router;
  private readonly defaultHeaders: Readonly<Record<string, string>> | undefined;
  private readonly retryMethods: readonly string[];
  private readonly retry: RetryPolicy;
  private closed: Promise<void> | undefined;
  private readonly selector: Selector;
  private readonly logger: Logger;

  constructor(
    options: HttpClientOptions,
    selector: Selector,
    private readonly pools: NodePools,
    private readonly resolver: Resolver | undefined,
  ) {
    const logger = options.logger ?? console;
    this.selector = selector;
    this.logger = logger;
    this.router = new Router({
      selector,
      pools,
      filters: options.filters ?? [],
      doneThrows: new ThrowReport(
        logger,
        "the selector's done callback",
        "the reply went to the caller untouched, but the balancer may not have recorded the outcome: " +
          "fix the selector (or the isFailure predicate it was given)",
      ),
      onPickThrows: new ThrowReport(
        logger,
        "onPick",
        "the request was sent anyway: fix the onPick hook given to dispatcher.with()",
      ),
      close: () => this.close(),
      destroy: () => this.destroy(),
    });
    this.dispatcher = new SwitchyardDispatcher(this.router);
    this.defaultHeaders = options.headers;
    const retry = options.retry === true ? {} : options.retry || undefined;
    this.retryMethods =
      retry === undefined ? [] : (retry.methods ?? DEFAULT_RETRY_METHODS).map((m) => m.toUpperCase());
    this.retry =
      retry === undefined
        ? NO_RETRY
        : { attempts: retry.attempts ?? 2, budget: new RetryBudget(retry.budget) };
  }

  request(path: string, init: RequestInit = NO_INIT): Promise<HttpResponse> {
    if (this.closed !== undefined) return Promise.reject(closedError());
    if (typeof path !== "string" || path.charCodeAt(0) !== 47 /* "/" */) {
      return Promise.reject(
        new InvalidArgumentError(`transport-http: request path must start with "/", got ${String(path)}`),
      );
    }
    const method = init.method === undefined ? "GET" : init.method.toUpperCase();
    const headers =
      this.defaultHeaders === undefined ? init.headers : withDefaults(this.defaultHeaders, init.headers);
    const router = this.router;
    const filters = init.filters === undefined ? router.filters : [...router.filters, ...init.filters];
    const select = router.selectOptions(filters, { method, path, headers }, init.signal);
    let retry = NO_RETRY;
    if (this.retry.budget !== undefined) {
      this.retry.budget.deposit();
      if (this.retryMethods.includes(method)) retry = this.retry;
    }
    const call = new ClientCall(router, select, retry, init.signal);
    const reply = call.reply();
    undiciRequest.call(
      call,
      {
        path,
        method: method as Dispatcher.HttpMethod,
        headers,
        body: init.body ?? null,
        signal: init.signal,
        opaque: call,
      },
      settle,
    );
    return reply;
  }
  async json<T>(path: string, init?: RequestInit): Promise<T> {
    const reply = await this.request(path, init);
    if (reply.status < 200 || reply.status > 299) {
      const text = (await reply.body.text()).slice(0, 512);
      throw new HttpStatusError(
        `transport-http: ${init?.method ?? "GET"} ${path} answered ${reply.status} from ${reply.address}`,
        { status: reply.status, body: text },
      );
    }
    return (await reply.body.json()) as T;
  }

  ready(options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<void> {
    return this.resolver?.ready(options) ?? Promise.resolve();
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      await this.resolver?.close();
      await this.pools.close();
      this.release();
    })();
    return this.closed;
  }

  async destroy(): Promise<void> {
    this.closed ??= Promise.resolve();
    await this.resolver?.close();
    await this.pools.destroy();
    this.release();
  }

  /**
   * The selector lets go of its nodes once no request can come: its health timers stop, and what
   * watches it (the diagnostics channels, `@switchyard/otel`) sees every node removed.
   */
  private release(): void {
    try {
      this.selector.apply([]);
    } catch (error) {
      warnSafely(this.logger, "transport-http: the selector refused the empty list at close", { error });
    }
  }
}

/** undici's callback of every `client.request`: the call rides in `opaque`, so no closure per request. */
function settle(
  error: Error | null,
  data: { opaque: ClientCall } & Partial<Dispatcher.ResponseData<ClientCall>>,
): void {
  const call = data.opaque;
  if (error !== null) call.reject(error);
  else
    call.resolve({
      status: data.statusCode!,
      headers: data.headers!,
      address: call.address,
      body: data.body!,
    });
}

/** The client's headers with the request's over them (names as given). */
function withDefaults(
  defaults: Readonly<Record<string, string>>,
  extra: Readonly<Record<string, string>> | undefined,
): Readonly<Record<string, string>> {
  return extra === undefined ? defaults : Object.assign({}, defaults, extra);
}
