import { getGlobalSelector, InvalidArgumentError, type NodeFilter, type Selector } from "@switchyard/api";
import { wrr } from "@switchyard/balancer-wrr";
import {
  createSelectorResolver,
  DEFAULT_READY_TIMEOUT_MS,
  isNodeFailure,
  type Resolver,
} from "@switchyard/selector-core";
import { Agent, type Dispatcher, request as undiciRequest } from "undici";
import { type DispatcherCore, SwitchyardDispatcher } from "./dispatcher.js";
import { ClientClosedError, HttpStatusError } from "./errors.js";
import type { HttpClientOptions, RetryOptions } from "./options.js";
import { ThrowReport } from "./report.js";
import { RetryBudget } from "./retry-budget.js";
import { parseTarget, type Target } from "./target.js";
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
const PLACEHOLDER_ORIGIN = "http://switchyard.invalid";

/**
 * Creates a client for `endpoint`. With `block`, waits for the first non-empty instance list and
 * rejects with `ResolveTimeoutError` (naming the service) when none arrives in time.
 * @throws InvalidArgumentError on bad options (before anything starts).
 */
export async function createClient(options: HttpClientOptions): Promise<HttpClient> {
  checkOptions(options);
  const target = parseTarget(options.endpoint);
  const selector = (options.selector ?? getGlobalSelector() ?? wrr({ clock: options.clock })).build();
  const agent = new Agent({
    connect: { ...options.tls, timeout: options.connectTimeoutMs ?? 10_000 } as never,
    headersTimeout: options.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs,
    connections: options.connections ?? null,
  });
  let resolver: Resolver | undefined;
  if (target.kind === "discovery") {
    if (options.discovery === undefined) {
      await agent.close();
      throw new InvalidArgumentError(
        `transport-http: endpoint ${options.endpoint} needs a discovery (for example createMemoryRegistry() or a Consul registry)`,
      );
    }
    resolver = createSelectorResolver({
      discovery: options.discovery,
      serviceName: target.serviceName,
      family: "http",
      selector,
      subsetSize: options.subsetSize,
      subsetKey: options.subsetKey,
      clock: options.clock,
      logger: options.logger,
      backoff: options.backoff,
    });
  } else {
    selector.apply([target.node]);
  }
  const client = new Client(options, target, selector, agent, resolver);
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
  private readonly origin: string;
  private readonly defaultHeaders: Readonly<Record<string, string>> | undefined;
  private readonly retry: Required<Omit<RetryOptions, "budget">> | undefined;
  private readonly budget: RetryBudget | undefined;
  private closed: Promise<void> | undefined;

  constructor(
    options: HttpClientOptions,
    target: Target,
    selector: Selector,
    private readonly agent: Agent,
    private readonly resolver: Resolver | undefined,
  ) {
    const logger = options.logger ?? console;
    const core: DispatcherCore = {
      selector,
      agent,
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
    };
    this.dispatcher = new SwitchyardDispatcher(core);
    this.origin = target.kind === "direct" ? target.origin : PLACEHOLDER_ORIGIN;
    this.defaultHeaders = options.headers;
    const retry = options.retry === true ? {} : options.retry || undefined;
    if (retry !== undefined) {
      this.retry = {
        attempts: retry.attempts ?? 2,
        methods: (retry.methods ?? DEFAULT_RETRY_METHODS).map((m) => m.toUpperCase()),
      };
      this.budget = new RetryBudget(retry.budget);
    }
  }

  async request(path: string, init: RequestInit = {}): Promise<HttpResponse> {
    if (this.closed !== undefined) {
      throw new ClientClosedError("transport-http: the client is closed; create a new one to send requests");
    }
    if (typeof path !== "string" || !path.startsWith("/")) {
      throw new InvalidArgumentError(`transport-http: request path must start with "/", got ${String(path)}`);
    }
    const method = (init.method ?? "GET").toUpperCase();
    const headers =
      this.defaultHeaders === undefined ? init.headers : { ...this.defaultHeaders, ...init.headers };
    const retry = this.retry;
    const retryable = retry?.methods.includes(method) === true;
    const tried = new Set<string>();
    let address = "";
    const avoidTried: NodeFilter = (nodes) => {
      const left = nodes.filter((n) => !tried.has(n.address));
      return left.length > 0 ? left : nodes;
    };
    const onPick = (node: { address: string }) => {
      address = node.address;
    };
    const attempts = retryable ? retry!.attempts : 1;
    this.budget?.deposit();
    for (let attempt = 1; ; attempt++) {
      const filters = attempt === 1 ? init.filters : [...(init.filters ?? []), avoidTried];
      const dispatcher = this.dispatcher.with({ filters, onPick });
      const last = attempt >= attempts;
      try {
        const reply = await undiciRequest(this.origin + path, {
          dispatcher,
          method: method as Dispatcher.HttpMethod,
          headers,
          body: init.body ?? null,
          signal: init.signal,
        });
        if (!last && reply.statusCode === 503 && this.budget!.withdraw()) {
          tried.add(address);
          await reply.body.dump();
          continue;
        }
        return { status: reply.statusCode, headers: reply.headers, address, body: reply.body };
      } catch (error) {
        const userAborted = init.signal?.aborted === true;
        if (last || userAborted || !isNodeFailure({ error }) || !this.budget!.withdraw()) throw error;
        tried.add(address);
      }
    }
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
      await this.agent.close();
    })();
    return this.closed;
  }

  async destroy(): Promise<void> {
    this.closed ??= Promise.resolve();
    await this.resolver?.close();
    if (!this.agent.destroyed) await this.agent.destroy();
  }
}
