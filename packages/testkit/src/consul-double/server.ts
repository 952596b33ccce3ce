import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { FaultQueue } from "../fault-queue.js";
import { HttpDouble } from "../http-double.js";
import { agentRoute, statusRoute } from "./agent.js";
import { catalogRoute } from "./catalog.js";
import { realClock } from "./clock.js";
import type { DoubleContext, DoubleRequest } from "./context.js";
import { healthService } from "./health.js";
import { playFault } from "./play-fault.js";
import { startReaper } from "./reaper.js";
import { HttpError, sendText } from "./reply.js";
import { CatalogState } from "./state.js";
import type {
  ConsulDoubleOptions,
  ConsulFault,
  ConsulFaultOptions,
  ConsulRecordedRequest,
  ConsulRequestOutcome,
} from "./types.js";

/** The HTTP side of the double: records each request, plays faults, routes the rest. */
export class DoubleServer extends HttpDouble<ConsulRecordedRequest> {
  readonly ctx: DoubleContext;
  readonly faults = new FaultQueue<ConsulFault, ConsulFaultOptions>("consul");
  /** Stops the reaper; called by `close`. */
  readonly stopReaper: () => void;

  constructor(options: ConsulDoubleOptions) {
    super((handler) => createServer(handler));
    const clock = options.clock ?? realClock;
    this.ctx = {
      state: new CatalogState(clock, 1),
      node: {
        id: randomUUID(),
        name: options.nodeName ?? "consul-double",
        address: "127.0.0.1",
        datacenter: options.datacenter ?? "dc1",
        enterprise: options.enterprise ?? false,
      },
      clock,
      acl: options.acl,
      blockingJitter: options.blockingJitter ?? true,
      random: options.random ?? Math.random,
      held: 0,
    };
    this.stopReaper = startReaper(this.ctx.state, clock);
  }

  protected handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = new URL(req.url ?? "/", "http://consul.double");
    const method = req.method ?? "GET";
    let path = url.pathname;
    try {
      path = decodeURIComponent(path);
    } catch {
      // Go's net/http refuses a malformed escape before any handler runs.
      sendText(res, 400, "400 Bad Request");
      return;
    }
    let blocking = false;
    let settle: (outcome: ConsulRequestOutcome) => void = () => {};
    const outcome = new Promise<ConsulRequestOutcome>((resolve) => (settle = resolve));
    res.once("finish", () => settle("answered"));
    res.once("close", () => settle(res.writableFinished ? "answered" : "aborted"));
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
    }
    const record: ConsulRecordedRequest = {
      method,
      path,
      query: url.searchParams,
      headers,
      body,
      get blocking() {
        return blocking;
      },
      outcome,
    };
    const fault = this.faults.take(method, path);
    const request: DoubleRequest = {
      req,
      res,
      method,
      path,
      query: url.searchParams,
      body,
      markBlocking: () => (blocking = true),
      indexOverride: fault?.kind === "index" ? fault.index : undefined,
    };
    this.announce(record);
    if (fault !== undefined && playFault(this.ctx, request, fault, () => this.route(request)) === "played") {
      if (fault.kind !== "delay") settle("faulted");
      return;
    }
    this.route(request);
  }

  private route(request: DoubleRequest): void {
    try {
      if (request.path.startsWith("/v1/health/service/")) healthService(this.ctx, request);
      else if (
        !agentRoute(this.ctx, request) &&
        !catalogRoute(this.ctx, request) &&
        !statusRoute(this.ctx, request)
      ) {
        throw new HttpError(404, "404 page not found");
      }
    } catch (error) {
      if (request.res.headersSent) return;
      if (error instanceof HttpError) sendText(request.res, error.status, error.message);
      else sendText(request.res, 500, error instanceof Error ? error.message : String(error));
    }
  }
}
