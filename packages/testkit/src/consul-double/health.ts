// GET /v1/health/service/:service: the instances of a service with their checks, narrowed by
// `passing`, `tag` and `node-meta`, as a blocking query on the service's index.
import { answerBlocking } from "./blocking.js";
import { boolParam, type DoubleContext, type DoubleRequest, grantOf, scopeOf } from "./context.js";
import { passes, serviceFilters } from "./filters.js";
import { HttpError, queryHeaders, sendJson } from "./reply.js";
import { checkView, NODE_META, nodeView, serfHealthView, serviceView } from "./views.js";

interface Answer {
  readonly index: number;
  readonly body: unknown[];
  readonly filtered: boolean;
}

/** Handles the health service endpoint. */
export function healthService(ctx: DoubleContext, request: DoubleRequest): void {
  if (request.method !== "GET" && request.method !== "HEAD") {
    throw new HttpError(405, `method ${request.method} not allowed`);
  }
  const name = request.path.slice("/v1/health/service/".length);
  if (name === "") throw new HttpError(400, "Missing service name");
  const dc = request.query.get("dc");
  if (dc && dc !== ctx.node.datacenter) throw new HttpError(500, "No path to datacenter");
  const scope = scopeOf(ctx, request);
  const passingOnly = boolParam(request.query, "passing");
  const filters = serviceFilters(request.query);
  const readable = grantOf(ctx, request) !== "none";

  const evaluate = (): Answer => {
    // Consul never reports index 0 to a blocking client: it would spin.
    const index = Math.max(1, ctx.state.indexOf(scope, name));
    if (!readable) return { index, body: [], filtered: true };
    const body: unknown[] = [];
    for (const service of ctx.state.instances(scope, name)) {
      if (!passes(filters, service.tags, NODE_META)) continue;
      const checks = ctx.state.checksOf(scope, service.id);
      if (passingOnly && checks.some((c) => c.status !== "passing")) continue;
      body.push({
        Node: nodeView(ctx.node),
        Service: serviceView(service, ctx.node.enterprise),
        Checks: [serfHealthView(ctx.node), ...checks.map((c) => checkView(c, ctx.node))],
      });
    }
    return { index, body, filtered: false };
  };
  answerBlocking(ctx, request, evaluate, (answer) => {
    const headers = queryHeaders(request.indexOverride ?? answer.index);
    if (answer.filtered) headers["X-Consul-Results-Filtered-By-ACLs"] = "true";
    sendJson(request.res, 200, answer.body, headers);
  });
}
