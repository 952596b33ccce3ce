import { RegistryError } from "@switchyard/api";
import { RequestDeadline } from "@switchyard/kit";
import { Agent, type Dispatcher, fetch as undiciFetch } from "undici";
import type { ConsulFetch, ConsulFetchInit } from "./options.js";
import type { Settings } from "./settings.js";

/** One request to the agent. */
export interface ConsulCall {
  readonly method: "GET" | "PUT";
  /** Path from the API root, such as "/v1/agent/service/register". */
  readonly path: string;
  /** Query parameters; `true` sends a bare flag (`?passing`), `undefined` or "" sends nothing. */
  readonly query?: Readonly<Record<string, string | number | true | undefined>>;
  /** JSON-encoded into the body when set. */
  readonly body?: unknown;
  readonly signal?: AbortSignal;
  readonly timeoutMs: number;
  /** What the call does, for error messages: `registering "a-1" of "api"`. */
  readonly what: string;
}

/** A 2xx answer of the agent. */
export interface ConsulReply {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly text: string;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}

/** Longest excerpt of a reply quoted in an error. */
const EXCERPT = 200;

/**
 * Sends requests to one Consul agent: adds the token header and the namespace/partition, applies
 * a timeout on the clock, and turns every failure into a `RegistryError` whose message says what
 * failed and what to do. Whatever it quotes from a reply (body or header) is cleaned of the token
 * and the TLS key first, and only then cut to an excerpt, so no cut can keep part of a secret.
 */
export class ConsulHttp {
  private readonly settings: Settings;
  private readonly fetch: ConsulFetch;
  private readonly dispatcher: Dispatcher | undefined;
  private readonly ownDispatcher: Agent | undefined;

  constructor(settings: Settings) {
    this.settings = settings;
    this.fetch = settings.fetch ?? (undiciFetch as unknown as ConsulFetch);
    const needsOwn =
      settings.fetch === undefined || settings.tls !== undefined || settings.socketPath !== undefined;
    if (settings.dispatcher === undefined && needsOwn) {
      // Timeouts are ours (on the clock, per call): a blocking query may be held up to 10 minutes.
      this.ownDispatcher = new Agent({
        headersTimeout: 0,
        bodyTimeout: 0,
        connect: { ...settings.tls, ...(settings.socketPath ? { socketPath: settings.socketPath } : {}) },
      });
    }
    this.dispatcher = settings.dispatcher ?? this.ownDispatcher;
  }

  /** Closes the connection pool the registry made for itself (not a dispatcher it was given). */
  async close(): Promise<void> {
    await this.ownDispatcher?.close();
  }

  /**
   * Sends `call`; resolves with a 2xx reply.
   * @throws RegistryError on a network failure, a timeout or a non-2xx status (with `status` and
   * `retryable`); the signal's reason when `call.signal` aborts.
   */
  async send(call: ConsulCall): Promise<ConsulReply> {
    const { signal, timeoutMs, what } = call;
    signal?.throwIfAborted();
    const deadline = new RequestDeadline(this.settings.clock, timeoutMs, signal);
    let answered = false;
    try {
      const response = await this.fetch(this.url(call), this.init(call, deadline.signal));
      answered = true;
      const text = await response.text();
      const reply = { status: response.status, headers: response.headers, text };
      if (reply.status < 200 || reply.status > 299) throw this.statusError(call, reply);
      return reply;
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      if (signal?.aborted) throw signal.reason;
      if (deadline.timedOut) {
        throw new RegistryError(
          `consul: ${what} timed out after ${timeoutMs} ms; the agent at ${this.settings.baseUrl} is slow or ` +
            "unreachable (raise requestTimeoutMs if it is just slow)",
          { cause: error, retryable: true },
        );
      }
      const problem = answered
        ? "the reply was cut off"
        : `cannot reach the agent at ${this.settings.baseUrl}`;
      throw new RegistryError(
        this.redact(
          `consul: ${what} failed: ${problem} (${describe(error)}); check that Consul is running there`,
        ),
        { cause: this.settings.secrets.scrub(error), retryable: true },
      );
    } finally {
      deadline.done();
    }
  }

  /**
   * Parses a reply body as JSON.
   * @throws RegistryError (retryable) when it is not JSON.
   */
  json(reply: ConsulReply, what: string): unknown {
    try {
      return JSON.parse(reply.text);
    } catch {
      // The parser's own message quotes the start of the body, cut where no cleaning can see a
      // secret whole: neither it nor the SyntaxError is kept.
      throw new RegistryError(
        `consul: ${what} got a reply that is not valid JSON; the agent or a proxy in front of it sent: ` +
          this.excerpt(reply.text),
        { status: reply.status, retryable: true },
      );
    }
  }

  /** A value taken from a reply (a header, say), cleaned of secrets, cut short and quoted. */
  quote(value: string | null): string {
    if (value === null) return "(none)";
    const cleaned = this.redact(value);
    return JSON.stringify(cleaned.length > EXCERPT ? `${cleaned.slice(0, EXCERPT)}…` : cleaned);
  }

  private url(call: ConsulCall): string {
    const params: string[] = [];
    const add = (name: string, value: string | number | true | undefined): void => {
      if (value === true) params.push(encodeURIComponent(name));
      else if (value !== undefined && value !== "")
        params.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
    };
    for (const [name, value] of Object.entries(call.query ?? {})) add(name, value);
    add("ns", this.settings.namespace);
    add("partition", this.settings.partition);
    return `${this.settings.baseUrl}${call.path}${params.length > 0 ? `?${params.join("&")}` : ""}`;
  }

  private init(call: ConsulCall, signal: AbortSignal): ConsulFetchInit {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (this.settings.token !== "") headers["X-Consul-Token"] = this.settings.token;
    let body: string | undefined;
    if (call.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(call.body);
    }
    return {
      method: call.method,
      headers,
      signal,
      ...(body === undefined ? {} : { body }),
      ...(this.dispatcher === undefined ? {} : { dispatcher: this.dispatcher }),
    };
  }

  private statusError(call: ConsulCall, reply: ConsulReply): RegistryError {
    const { status } = reply;
    const said = `${status}: ${this.excerpt(reply.text)}`;
    let advice: string;
    if (status === 403) {
      advice =
        "check the ACL token (token option or CONSUL_HTTP_TOKEN): it is unknown or lacks the permission";
    } else if (status === 429) advice = "the agent is rate limiting; it is retried later";
    else if (status >= 500) advice = "the agent failed; retrying later may help";
    else advice = "the request was refused as it is; fix it before retrying";
    const retryable = status >= 500 || status === 429;
    return new RegistryError(this.redact(`consul: ${call.what} failed (${said}); ${advice}`), {
      status,
      retryable,
    });
  }

  /** The start of a body: cleaned of secrets first, then flattened and cut. */
  private excerpt(text: string): string {
    const flat = this.redact(text).trim().replace(/\s+/g, " ");
    return flat === "" ? "(empty body)" : flat.length > EXCERPT ? `${flat.slice(0, EXCERPT)}…` : flat;
  }

  /** Never let the token or the TLS key reach a message, whatever an agent or proxy echoes back. */
  private redact(message: string): string {
    return this.settings.secrets.redact(message);
  }
}
