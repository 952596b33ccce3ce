import type { IncomingMessage, ServerResponse } from "node:http";
import type { Clock } from "@switchyard/api";
import { type Grant, requestToken, resolveGrant } from "./acl.js";
import { HttpError } from "./reply.js";
import type { CatalogState } from "./state.js";
import type { ConsulDoubleAcl } from "./types.js";
import type { NodeInfo } from "./views.js";

/** What every route handler of the double gets. */
export interface DoubleContext {
  readonly state: CatalogState;
  readonly node: NodeInfo;
  readonly clock: Clock;
  readonly acl: ConsulDoubleAcl | undefined;
  readonly blockingJitter: boolean;
  readonly random: () => number;
  /** Counts blocking queries being held, for `heldQueries()`. */
  held: number;
}

/** One request, parsed, on its way through the routes. */
export interface DoubleRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: string;
  /** Set by the health route when it holds the request; read by the recorder. */
  markBlocking(): void;
  /** When set by an `index` fault: the X-Consul-Index to answer with. */
  readonly indexOverride: number | undefined;
}

/** The request's token grant; throws 403 "ACL not found" for an unknown token. */
export function grantOf(ctx: DoubleContext, request: DoubleRequest): Grant {
  return resolveGrant(ctx.acl, requestToken(request.req, request.query));
}

function enterpriseParam(request: DoubleRequest, param: string, header: string, feature: string): string {
  const fromHeader = request.req.headers[header.toLowerCase()];
  const fromQuery = request.query.get(param) ?? "";
  if (typeof fromHeader === "string" && fromHeader !== "") {
    throw new HttpError(400, `Invalid header: "${header}" - ${feature} are a Consul Enterprise feature`);
  }
  if (fromQuery !== "") {
    throw new HttpError(
      400,
      `Invalid query parameter: "${param}" - ${feature} are a Consul Enterprise feature`,
    );
  }
  return "";
}

/**
 * The `partition/namespace` a request addresses. The community edition refuses `ns` and
 * `partition` (400); Enterprise takes them from the query, the headers, or the body's Namespace.
 */
export function scopeOf(ctx: DoubleContext, request: DoubleRequest, bodyNamespace?: string): string {
  if (!ctx.node.enterprise) {
    enterpriseParam(request, "ns", "X-Consul-Namespace", "Namespaces");
    enterpriseParam(request, "partition", "X-Consul-Partition", "Partitions");
    return "";
  }
  const header = (name: string): string => {
    const value = request.req.headers[name];
    return typeof value === "string" ? value : "";
  };
  const ns = bodyNamespace || request.query.get("ns") || header("x-consul-namespace") || "default";
  const partition = request.query.get("partition") || header("x-consul-partition") || "default";
  return `${partition}/${ns}`;
}

/** Go's strconv.ParseBool, as Consul's `getBoolQueryParam` uses it; a bare `?passing` is true. */
export function boolParam(query: URLSearchParams, name: string): boolean {
  if (!query.has(name)) return false;
  const value = query.get(name) ?? "";
  if (value === "" || ["1", "t", "T", "TRUE", "true", "True"].includes(value)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) return false;
  throw new HttpError(400, `Invalid value for ?${name}`);
}
