import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { RegistryError } from "@switchyard/api";
import { errorMessage, RequestDeadline } from "@switchyard/kit";
import { Credentials } from "./credentials.js";
import { excerpt, statusError } from "./refusal.js";
import type { Settings } from "./settings.js";

/** Reads a whole body as text. */
async function readText(body: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** One request to the API server. */
export interface ApiCall {
  /** Path from the server root, such as "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices". */
  readonly path: string;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly signal: AbortSignal | undefined;
  /** What the call does, for error messages: `listing the EndpointSlices of "api"`. */
  readonly what: string;
  /** The resource read, for the RBAC advice of a 403: `endpointslices`. */
  readonly resource: string;
}

/** An open watch: its body, line by line, and how to end it. */
export interface ApiStream {
  lines(): AsyncGenerator<string>;
  close(): void;
}

/**
 * Talks to the API server: the bearer token on every request (renewed once after a 401 when it
 * comes from a file or a plugin), TLS from the kubeconfig or the pod, timeouts on the clock, and
 * every failure turned into a `RegistryError` whose message says what failed and what to do
 * (quoting the API server's `Status` message, cleaned of tokens and keys).
 */
export class KubeHttp {
  private readonly settings: Settings;
  private readonly agent: HttpAgent;
  private readonly url: URL;
  readonly credentials: Credentials;

  constructor(settings: Settings) {
    this.settings = settings;
    this.credentials = new Credentials(settings);
    this.url = new URL(settings.access.server);
    const { tls } = settings.access;
    // Node's own client: no dependency to bundle. Timeouts are ours, on the clock: a watch stays
    // open for minutes.
    this.agent =
      this.url.protocol === "https:"
        ? new HttpsAgent({
            keepAlive: true,
            ...(tls.ca === undefined ? {} : { ca: tls.ca }),
            ...(tls.cert === undefined ? {} : { cert: tls.cert }),
            ...(tls.key === undefined ? {} : { key: tls.key }),
            ...(tls.servername === undefined ? {} : { servername: tls.servername }),
            rejectUnauthorized: tls.rejectUnauthorized,
          })
        : new HttpAgent({ keepAlive: true });
  }

  /** Closes every connection, watches included. */
  async close(): Promise<void> {
    this.agent.destroy();
  }

  /**
   * GETs a JSON document.
   * @throws RegistryError on a network failure, a timeout, a non-2xx status (`status` set) or a
   * body that is not JSON; the signal's reason when `call.signal` aborts.
   */
  async getJson(call: ApiCall): Promise<unknown> {
    const response = await this.open(call, this.settings.requestTimeoutMs);
    try {
      const text = await readText(response.body);
      try {
        return JSON.parse(text);
      } catch {
        throw new RegistryError(
          `kubernetes: ${call.what} got a reply that is not JSON from ${this.settings.access.server}: ${excerpt(this.settings, text)}`,
          { status: response.body.statusCode, retryable: true },
        );
      }
    } catch (error) {
      throw this.failure(call, error, false);
    } finally {
      response.done();
    }
  }

  /**
   * Opens a streaming GET (a watch). The stream ends when the server closes it, when `call.signal`
   * aborts, or `timeoutMs` after it opened.
   * @throws RegistryError as {@link getJson} does, for the opening.
   */
  async stream(call: ApiCall, timeoutMs: number): Promise<ApiStream> {
    const response = await this.open(call, timeoutMs);
    const { body } = response;
    const failure = (error: unknown): unknown => this.failure(call, error, true);
    return {
      async *lines() {
        let buffer = "";
        try {
          for await (const chunk of body) {
            buffer += (chunk as Buffer).toString("utf8");
            for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
              const line = buffer.slice(0, i).trim();
              buffer = buffer.slice(i + 1);
              if (line !== "") yield line;
            }
          }
          if (buffer.trim() !== "") yield buffer.trim();
        } catch (error) {
          throw failure(error);
        } finally {
          response.done();
        }
      },
      close: () => {
        response.done();
        body.destroy();
      },
    };
  }

  private async open(call: ApiCall, timeoutMs: number): Promise<{ body: IncomingMessage; done(): void }> {
    const { signal } = call;
    signal?.throwIfAborted();
    for (let attempt = 0; ; attempt++) {
      const deadline = new RequestDeadline(this.settings.clock, timeoutMs, signal);
      const done = (): void => deadline.done();
      try {
        const headers: Record<string, string> = {
          accept: "application/json",
          "user-agent": "switchyard-registry-kubernetes",
        };
        const authorization = await this.credentials.header();
        if (authorization !== undefined) headers.authorization = authorization;
        const response = await this.send(call, headers, deadline.signal);
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) return { body: response, done };
        const text = await readText(response).catch(() => "");
        done();
        if (status === 401 && attempt === 0 && this.credentials.renewable) {
          this.credentials.invalidate();
          continue;
        }
        throw statusError(this.settings, call, status, text);
      } catch (error) {
        done();
        if (signal?.aborted) throw signal.reason;
        if (deadline.timedOut) {
          throw new RegistryError(
            `kubernetes: ${call.what} timed out after ${timeoutMs} ms; the API server at ${this.settings.access.server} is slow or unreachable`,
            { cause: error, retryable: true },
          );
        }
        throw this.failure(call, error, false);
      }
    }
  }

  private send(
    call: ApiCall,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<IncomingMessage> {
    const { url } = this;
    const options = {
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ""),
      port: url.port,
      path: this.pathOf(call),
      method: "GET",
      headers,
      agent: this.agent,
      signal,
    };
    return new Promise((resolve, reject) => {
      const request = (url.protocol === "https:" ? httpsRequest : httpRequest)(options, resolve);
      request.on("error", reject);
      request.end();
    });
  }

  private pathOf(call: ApiCall): string {
    const base = this.url.pathname.replace(/\/+$/, "");
    const params = Object.entries(call.query)
      .filter(([, value]) => value !== undefined && value !== "")
      .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value!)}`);
    return `${base}${call.path}${params.length > 0 ? `?${params.join("&")}` : ""}`;
  }

  /** A failure that is not a status: kept when it already is a RegistryError, else wrapped. */
  private failure(call: ApiCall, error: unknown, streaming: boolean): unknown {
    if (error instanceof RegistryError) return error;
    if (call.signal?.aborted) return call.signal.reason;
    const { server } = this.settings.access;
    const problem = streaming ? "the watch stream broke" : `cannot reach the API server at ${server}`;
    return new RegistryError(
      this.settings.secrets.redact(
        `kubernetes: ${call.what} failed: ${problem} (${errorMessage(error)}); check that the cluster is reachable from here`,
      ),
      { cause: this.settings.secrets.scrub(error), retryable: true },
    );
  }
}
