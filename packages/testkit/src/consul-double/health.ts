// GET /v1/health/service/:service, with Consul's blocking-query rules: `index` > 0 holds the
// request until the service's index exceeds it or `wait` (default 5 min, at most 10 min, plus a
// random wait/16) elapses; a wake-up whose index is not past `index` keeps holding, as Consul's
// blocking loop re-runs the query and goes back to sleep.
import type { TimerHandle } from "@switchyard/api";
import { boolParam, type DoubleContext, type DoubleRequest, grantOf, scopeOf } from "./context.js";
import { parseGoDuration } from "./duration.js";
import { HttpError, queryHeaders, sendJson } from "./reply.js";
import { checkView, nodeView, serfHealthView, serviceView } from "./views.js";

const DEFAULT_WAIT_MS = 5 * 60_000;
const MAX_WAIT_MS = 10 * 60_000;

interface Answer {
  readonly index: number;
  readonly body: unknown[];
  readonly filtered: boolean;
}

function parseBlocking(query: URLSearchParams): { minIndex: number; waitMs: number } {
  let waitMs = DEFAULT_WAIT_MS;
  const wait = query.get("wait");
  if (wait !== null && wait !== "") {
    const parsed = parseGoDuration(wait);
    if (parsed === undefined) throw new HttpError(400, "Invalid wait time");
    waitMs = parsed > MAX_WAIT_MS ? MAX_WAIT_MS : parsed <= 0 ? DEFAULT_WAIT_MS : parsed;
  }
  let minIndex = 0;
  const index = query.get("index");
  if (index !== null && index !== "") {
    if (!/^\d+$/.test(index)) throw new HttpError(400, "Invalid index");
    minIndex = Number(index);
  }
  return { minIndex, waitMs };
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
  const { minIndex, waitMs } = parseBlocking(request.query);
  const readable = grantOf(ctx, request) !== "none";

  const evaluate = (): Answer => {
    // Consul never reports index 0 to a blocking client: it would spin.
    const index = Math.max(1, ctx.state.indexOf(scope, name));
    if (!readable) return { index, body: [], filtered: true };
    const body: unknown[] = [];
    for (const service of ctx.state.instances(scope, name)) {
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
  const send = (answer: Answer): void => {
    const headers = queryHeaders(request.indexOverride ?? answer.index);
    if (answer.filtered) headers["X-Consul-Results-Filtered-By-ACLs"] = "true";
    sendJson(request.res, 200, answer.body, headers);
  };

  const first = evaluate();
  if (minIndex === 0 || first.index > minIndex) {
    send(first);
    return;
  }
  hold(
    ctx,
    request,
    waitMs,
    () => evaluate().index > minIndex,
    () => send(evaluate()),
  );
}

function hold(
  ctx: DoubleContext,
  request: DoubleRequest,
  waitMs: number,
  moved: () => boolean,
  answer: () => void,
): void {
  request.markBlocking();
  ctx.held += 1;
  let timer: TimerHandle | undefined;
  let done = false;
  const finish = (reply: boolean): void => {
    if (done) return;
    done = true;
    ctx.held -= 1;
    unsubscribe();
    ctx.clock.clearTimeout(timer);
    request.res.off("close", onClose);
    if (reply && !request.res.destroyed) answer();
  };
  const onClose = (): void => finish(false);
  const unsubscribe = ctx.state.onChange(() => {
    if (moved()) finish(true);
  });
  const jitter = ctx.blockingJitter ? ctx.random() * (waitMs / 16) : 0;
  timer = ctx.clock.setTimeout(() => finish(true), waitMs + jitter);
  request.res.on("close", onClose);
}
