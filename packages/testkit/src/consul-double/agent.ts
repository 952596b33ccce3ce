// The /v1/agent endpoints the registry uses: service register/deregister, TTL check updates,
// and the read endpoints tests (and operators) use to see what an agent holds.
import { requireWrite } from "./acl.js";
import { type DoubleContext, type DoubleRequest, grantOf, scopeOf } from "./context.js";
import { decodeServiceDefinition } from "./decode.js";
import { HttpError, queryHeaders, sendEmpty, sendJson } from "./reply.js";
import type { ConsulCheckStatus } from "./types.js";
import { agentServiceView, checkView } from "./views.js";

function requireMethod(request: DoubleRequest, method: string): void {
  if (request.method !== method) throw new HttpError(405, `method ${request.method} not allowed`);
}

function tail(path: string, prefix: string): string {
  return path.slice(prefix.length);
}

function register(ctx: DoubleContext, request: DoubleRequest): void {
  requireMethod(request, "PUT");
  const grant = grantOf(ctx, request);
  const def = decodeServiceDefinition(request.body);
  const scope = scopeOf(ctx, request, ctx.node.enterprise ? def.namespace : undefined);
  requireWrite(grant, def.name);
  const replace = request.query.has("replace-existing-checks")
    ? ["", "true"].includes(request.query.get("replace-existing-checks") ?? "")
    : false;
  ctx.state.register(scope, def, replace);
  sendEmpty(request.res);
}

function deregister(ctx: DoubleContext, request: DoubleRequest): void {
  requireMethod(request, "PUT");
  const id = tail(request.path, "/v1/agent/service/deregister/");
  const grant = grantOf(ctx, request);
  const scope = scopeOf(ctx, request);
  const service = ctx.state.service(scope, id);
  if (service === undefined) {
    throw new HttpError(
      404,
      `Unknown service ID ${JSON.stringify(id)}. Ensure that the service ID is passed, not the service name.`,
    );
  }
  requireWrite(grant, service.name);
  ctx.state.deregister(scope, id);
  sendEmpty(request.res);
}

const UPDATES: Readonly<Record<string, ConsulCheckStatus>> = {
  pass: "passing",
  warn: "warning",
  fail: "critical",
};

function updateCheck(ctx: DoubleContext, request: DoubleRequest, verb: string): void {
  requireMethod(request, "PUT");
  const checkId = tail(request.path, `/v1/agent/check/${verb}/`);
  const grant = grantOf(ctx, request);
  const scope = scopeOf(ctx, request);
  const check = ctx.state.check(scope, checkId);
  if (check === undefined) {
    throw new HttpError(
      404,
      `Unknown check ID ${JSON.stringify(checkId)}. Ensure that the check ID is passed, not the check name.`,
    );
  }
  requireWrite(grant, check.serviceName);
  let status = UPDATES[verb];
  let output = request.query.get("note") ?? "";
  if (verb === "update") {
    const body = JSON.parse(request.body || "{}") as { Status?: unknown; Output?: unknown };
    if (body.Status !== "passing" && body.Status !== "warning" && body.Status !== "critical") {
      throw new HttpError(400, `Invalid check status: ${JSON.stringify(body.Status ?? "")}`);
    }
    status = body.Status;
    output = typeof body.Output === "string" ? body.Output : "";
  }
  if (check.def.ttlMs === undefined) {
    throw new HttpError(500, `CheckID ${JSON.stringify(checkId)} does not have associated TTL`);
  }
  ctx.state.updateCheck(check, status ?? "critical", output);
  sendEmpty(request.res);
}

function readService(ctx: DoubleContext, request: DoubleRequest): void {
  requireMethod(request, "GET");
  const id = tail(request.path, "/v1/agent/service/");
  const grant = grantOf(ctx, request);
  const service = ctx.state.service(scopeOf(ctx, request), id);
  if (service === undefined) throw new HttpError(404, `unknown service ID: ${id}`);
  if (grant === "none") {
    throw new HttpError(
      403,
      `Permission denied: token lacks permission 'service:read' on ${JSON.stringify(service.name)}`,
    );
  }
  sendJson(request.res, 200, {
    ...agentServiceView(service, ctx.node),
    ContentHash: String(service.modifyIndex),
  });
}

function listServices(ctx: DoubleContext, request: DoubleRequest): void {
  requireMethod(request, "GET");
  const visible = grantOf(ctx, request) !== "none";
  const result: Record<string, unknown> = {};
  const services = visible ? ctx.state.allServices(scopeOf(ctx, request)) : [];
  services.sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const service of services) result[service.id] = agentServiceView(service, ctx.node);
  sendJson(request.res, 200, result, visible ? {} : { "X-Consul-Results-Filtered-By-ACLs": "true" });
}

function listChecks(ctx: DoubleContext, request: DoubleRequest): void {
  requireMethod(request, "GET");
  const visible = grantOf(ctx, request) !== "none";
  const result: Record<string, unknown> = {};
  const checks = visible ? ctx.state.allChecks(scopeOf(ctx, request)) : [];
  checks.sort((a, b) => (a.def.checkId < b.def.checkId ? -1 : 1));
  for (const check of checks) result[check.def.checkId] = checkView(check, ctx.node);
  sendJson(request.res, 200, result, visible ? {} : { "X-Consul-Results-Filtered-By-ACLs": "true" });
}

/** Routes an /v1/agent request; false when the path is not one the double knows. */
export function agentRoute(ctx: DoubleContext, request: DoubleRequest): boolean {
  const { path } = request;
  if (path === "/v1/agent/service/register") register(ctx, request);
  else if (path.startsWith("/v1/agent/service/deregister/")) deregister(ctx, request);
  else if (path === "/v1/agent/services") listServices(ctx, request);
  else if (path === "/v1/agent/checks") listChecks(ctx, request);
  else if (path.startsWith("/v1/agent/service/")) readService(ctx, request);
  else {
    const verb = /^\/v1\/agent\/check\/(pass|warn|fail|update)\//.exec(path)?.[1];
    if (verb === undefined) return false;
    updateCheck(ctx, request, verb);
  }
  return true;
}

/** `GET /v1/status/leader` and `/v1/catalog/datacenters`, for readiness probes. */
export function statusRoute(ctx: DoubleContext, request: DoubleRequest): boolean {
  if (request.path === "/v1/status/leader") sendJson(request.res, 200, "127.0.0.1:8300");
  else if (request.path === "/v1/catalog/datacenters") {
    sendJson(request.res, 200, [ctx.node.datacenter], queryHeaders(ctx.state.index));
  } else return false;
  return true;
}
