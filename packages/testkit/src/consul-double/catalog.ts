// The catalog reads clients use for discovery: GET /v1/catalog/service/:service (every instance,
// whatever its checks say, narrowed by `tag` and `node-meta`) and GET /v1/catalog/services (each
// service name with the union of its instances' tags). Both are blocking queries: the first on the
// service's index (which check updates move too, as in Consul), the second on the index of the
// services table, which only registrations and deregistrations move.
import { answerBlocking } from "./blocking.js";
import { type DoubleContext, type DoubleRequest, grantOf, scopeOf } from "./context.js";
import { passes, serviceFilters } from "./filters.js";
import { HttpError, queryHeaders, sendJson } from "./reply.js";
import { catalogServiceView, NODE_META, sorted } from "./views.js";

interface Answer {
  readonly index: number;
  readonly body: unknown;
  readonly filtered: boolean;
}

function checkRead(ctx: DoubleContext, request: DoubleRequest): void {
  if (request.method !== "GET" && request.method !== "HEAD") {
    throw new HttpError(405, `method ${request.method} not allowed`);
  }
  const dc = request.query.get("dc");
  if (dc && dc !== ctx.node.datacenter) throw new HttpError(500, "No path to datacenter");
}

function send(request: DoubleRequest, answer: Answer): void {
  const headers = queryHeaders(request.indexOverride ?? answer.index);
  if (answer.filtered) headers["X-Consul-Results-Filtered-By-ACLs"] = "true";
  sendJson(request.res, 200, answer.body, headers);
}

function serviceNodes(ctx: DoubleContext, request: DoubleRequest): void {
  checkRead(ctx, request);
  const name = request.path.slice("/v1/catalog/service/".length);
  if (name === "") throw new HttpError(400, "Missing service name");
  const scope = scopeOf(ctx, request);
  const filters = serviceFilters(request.query);
  const readable = grantOf(ctx, request) !== "none";
  const evaluate = (): Answer => {
    const index = Math.max(1, ctx.state.indexOf(scope, name));
    if (!readable) return { index, body: [], filtered: true };
    const body = ctx.state
      .instances(scope, name)
      .filter((service) => passes(filters, service.tags, NODE_META))
      .map((service) => catalogServiceView(service, ctx.node));
    return { index, body, filtered: false };
  };
  answerBlocking(ctx, request, evaluate, (answer) => send(request, answer));
}

function services(ctx: DoubleContext, request: DoubleRequest): void {
  checkRead(ctx, request);
  const scope = scopeOf(ctx, request);
  // Consul ignores `tag` here; `node-meta` keeps the services of matching nodes (all or none).
  const onNode = passes({ tags: [], nodeMeta: serviceFilters(request.query).nodeMeta }, [], NODE_META);
  const readable = grantOf(ctx, request) !== "none";
  const evaluate = (): Answer => {
    const index = Math.max(1, ctx.state.servicesIndex);
    if (!readable) return { index, body: {}, filtered: true };
    const tags: Record<string, Set<string>> = Object.create(null);
    for (const service of onNode ? ctx.state.allServices(scope) : []) {
      const known = (tags[service.name] ??= new Set());
      for (const tag of service.tags) known.add(tag);
    }
    const body: Record<string, string[]> = Object.create(null);
    for (const [name, set] of Object.entries(tags)) body[name] = [...set].sort();
    return { index, body: sorted(body), filtered: false };
  };
  answerBlocking(ctx, request, evaluate, (answer) => send(request, answer));
}

/** Routes a /v1/catalog read; false when the path is not one the double knows. */
export function catalogRoute(ctx: DoubleContext, request: DoubleRequest): boolean {
  if (request.path === "/v1/catalog/services") services(ctx, request);
  else if (request.path.startsWith("/v1/catalog/service/")) serviceNodes(ctx, request);
  else return false;
  return true;
}
