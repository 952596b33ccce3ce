import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { FaultQueue } from "../fault-queue.js";
import { HttpDouble } from "../http-double.js";
import {
  coreResources,
  coreVersions,
  discoveryGroup,
  discoveryResources,
  groupList,
  versionDocument,
} from "./api-documents.js";
import { authenticate, authorize } from "./auth.js";
import { DOUBLE_CA, DOUBLE_SERVER_CERT, DOUBLE_SERVER_KEY } from "./certificates.js";
import { realClock } from "./clock.js";
import type { DoubleContext, ResourceCall, WatchHandle } from "./context.js";
import { get, list } from "./list.js";
import { playFault } from "./play-fault.js";
import { parseResource } from "./resources.js";
import { StatusError, sendJson, sendStatus } from "./status.js";
import { ObjectStore } from "./store.js";
import type {
  KubernetesDoubleOptions,
  KubernetesFault,
  KubernetesFaultOptions,
  KubernetesRecordedRequest,
  KubernetesRequestOutcome,
} from "./types.js";
import { watch } from "./watch.js";
import { write } from "./writes.js";

const DOCUMENTS: Readonly<Record<string, (address: string) => unknown>> = {
  "/api": coreVersions,
  "/apis": groupList,
  "/api/v1": coreResources,
  "/apis/discovery.k8s.io": discoveryGroup,
  "/apis/discovery.k8s.io/v1": discoveryResources,
};

/** The HTTP side of the double: records each request, authenticates, plays faults, routes the rest. */
export class DoubleServer extends HttpDouble<KubernetesRecordedRequest> {
  readonly ctx: DoubleContext;
  readonly faults = new FaultQueue<KubernetesFault, KubernetesFaultOptions>("kubernetes");
  readonly tls: boolean;
  private readonly options: KubernetesDoubleOptions;

  constructor(options: KubernetesDoubleOptions) {
    const tls = options.tls ?? false;
    super((handler) =>
      tls
        ? createHttpsServer(
            {
              key: DOUBLE_SERVER_KEY,
              cert: DOUBLE_SERVER_CERT,
              ca: DOUBLE_CA,
              requestCert: true,
              rejectUnauthorized: false,
            },
            handler,
          )
        : createHttpServer(handler),
    );
    this.options = options;
    this.tls = tls;
    const clock = options.clock ?? realClock;
    const now = (): Date => new Date();
    this.ctx = {
      store: new ObjectStore(now),
      clock,
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
      now,
      watches: new Set<WatchHandle>(),
    };
  }

  /** Drops every watch before the double stops listening. */
  protected override dropHeld(): void {
    for (const handle of [...this.ctx.watches]) handle.drop();
  }

  protected handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = new URL(req.url ?? "/", "http://kubernetes.double");
    const method = req.method ?? "GET";
    let path = url.pathname;
    try {
      path = decodeURIComponent(path);
    } catch {
      sendStatus(res, new StatusError(400, "BadRequest", "invalid path"));
      return;
    }
    const query = url.searchParams;
    const isWatch = ["true", "1"].includes(query.get("watch") ?? "");
    let settle: (outcome: KubernetesRequestOutcome) => void = () => {};
    const outcome = new Promise<KubernetesRequestOutcome>((resolve) => (settle = resolve));
    res.once("finish", () => settle("answered"));
    res.once("close", () => settle(res.writableFinished ? "answered" : "aborted"));
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
    }
    const record: KubernetesRecordedRequest = { method, path, query, headers, body, watch: isWatch, outcome };
    this.announce(record);
    const fault = this.faults.take(method, path, (o) => o.watch === undefined || o.watch === isWatch);
    const proceed = (): void => this.route(req, res, path, query, body, method, isWatch, undefined);
    if (fault !== undefined && playFault(this.ctx.clock, fault, req, res, proceed)) {
      if (fault.kind !== "delay") settle("faulted");
      return;
    }
    this.route(req, res, path, query, body, method, isWatch, fault);
  }

  private route(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
    body: string,
    method: string,
    isWatch: boolean,
    fault: KubernetesFault | undefined,
  ): void {
    try {
      if (method === "GET" && ["/healthz", "/livez", "/readyz"].includes(path)) {
        res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
        res.end("ok");
        return;
      }
      if (method === "GET" && path === "/version") {
        sendJson(res, 200, versionDocument());
        return;
      }
      const user = authenticate(req, this.options.users);
      const document = method === "GET" ? DOCUMENTS[path.replace(/\/$/, "")] : undefined;
      if (document !== undefined) {
        sendJson(res, 200, document(`127.0.0.1:${this.port}`));
        return;
      }
      const request = parseResource(path, method, isWatch);
      if (request === undefined)
        throw new StatusError(404, "NotFound", "the server could not find the requested resource", {});
      authorize(user, request);
      const call: ResourceCall = { req, res, request, query, body, fault };
      if (request.verb === "watch") watch(this.ctx, call);
      else if (request.verb === "list") list(this.ctx, call);
      else if (request.verb === "get") get(this.ctx, call);
      else write(this.ctx, call);
    } catch (error) {
      if (res.headersSent) return;
      if (error instanceof StatusError) sendStatus(res, error);
      else
        sendStatus(
          res,
          new StatusError(500, "InternalError", error instanceof Error ? error.message : String(error)),
        );
    }
  }
}
