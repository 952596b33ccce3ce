import type { DoubleContext, ResourceCall } from "./context.js";
import { selection } from "./selection.js";
import { StatusError, sendJson } from "./status.js";
import { tableVersion, toTable } from "./tables.js";
import type { KubeObject } from "./types.js";

const EXPIRED_CONTINUE =
  "The provided continue parameter is too old to display a consistent list result. You can start a new list " +
  "without the continue parameter, or use the continue token in this response to retrieve the remainder of the " +
  "results. Continuing with the provided token results in an inconsistent list - objects that were created, " +
  "modified, or deleted between the time the first chunk was returned and now may show up in the list.";

interface ContinueToken {
  readonly rv: number;
  readonly start: string;
}

const keyOf = (object: KubeObject): string =>
  `${object.metadata?.namespace ?? ""}/${object.metadata?.name ?? ""}`;

function encodeToken(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv: token.rv, start: token.start })).toString(
    "base64url",
  );
}

function decodeToken(text: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as Record<string, unknown>;
    if (parsed.v === "meta.k8s.io/v1" && typeof parsed.rv === "number" && typeof parsed.start === "string") {
      return { rv: parsed.rv, start: parsed.start };
    }
  } catch {
    // Falls through to the API server's refusal.
  }
  throw new StatusError(400, "BadRequest", "continue key is not valid: invalid character");
}

/** Items of a typed list carry neither `kind` nor `apiVersion`, as the API server sends them. */
function bare(object: KubeObject): KubeObject {
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = object;
  return rest;
}

/** Answers a list: selectors, `limit` and `continue` over a consistent snapshot, Tables for kubectl. */
export function list(ctx: DoubleContext, call: ResourceCall): void {
  const { request, query } = call;
  const { store } = ctx;
  const matches = selection(request, query);
  const limitText = query.get("limit");
  const limit = limitText === null || limitText === "" ? 0 : Number(limitText);
  const continueText = query.get("continue");
  let at = store.resourceVersion;
  let start = "";
  if (call.fault?.kind === "expired" || (continueText !== null && continueText !== "")) {
    const token = continueText ? decodeToken(continueText) : { rv: 0, start: "" };
    if (call.fault?.kind === "expired" || token.rv < store.oldest)
      throw new StatusError(410, "Expired", EXPIRED_CONTINUE);
    at = token.rv;
    start = token.start;
  } else {
    const rv = query.get("resourceVersion");
    if (rv !== null && rv !== "" && rv !== "0") {
      const wanted = Number(rv);
      if (!Number.isSafeInteger(wanted)) {
        throw new StatusError(
          400,
          "BadRequest",
          `resourceVersion: Invalid value: "${rv}": must be a non-negative integer`,
        );
      }
      if (wanted > store.resourceVersion) {
        throw new StatusError(
          504,
          "Timeout",
          `Timeout: Too large resource version: ${wanted}, current: ${store.resourceVersion}`,
        );
      }
    }
  }
  const all = store.listAt(request.kind, request.namespace, at).filter(matches);
  const after = start === "" ? all : all.filter((object) => keyOf(object) > start);
  const page = limit > 0 ? after.slice(0, limit) : after;
  const rest = after.length - page.length;
  const selected = (query.get("labelSelector") ?? "") !== "" || (query.get("fieldSelector") ?? "") !== "";
  const meta: Record<string, unknown> = { resourceVersion: String(at) };
  if (rest > 0) {
    meta.continue = encodeToken({ rv: at, start: keyOf(page[page.length - 1]!) });
    if (!selected) meta.remainingItemCount = rest;
  }
  const table = tableVersion(call.req.headers.accept);
  if (table !== undefined) {
    sendJson(
      call.res,
      200,
      toTable(request.kind, page, meta, query.get("includeObject") ?? "Metadata", ctx.now(), table),
    );
    return;
  }
  sendJson(call.res, 200, {
    kind: `${request.kind}List`,
    apiVersion: request.kind === "Pod" ? "v1" : "discovery.k8s.io/v1",
    metadata: meta,
    items: page.map(bare),
  });
}

/** Answers a get by name. */
export function get(ctx: DoubleContext, call: ResourceCall): void {
  const { request } = call;
  const object = ctx.store.get(request.kind, request.namespace ?? "", request.name ?? "");
  if (object === undefined) {
    const qualified = request.group === "" ? request.resource : `${request.resource}.${request.group}`;
    throw new StatusError(404, "NotFound", `${qualified} "${request.name}" not found`, {
      name: request.name,
      ...(request.group === "" ? {} : { group: request.group }),
      kind: request.resource,
    });
  }
  const table = tableVersion(call.req.headers.accept);
  if (table !== undefined) {
    const meta = { resourceVersion: object.metadata?.resourceVersion };
    sendJson(
      call.res,
      200,
      toTable(request.kind, [object], meta, call.query.get("includeObject") ?? "Metadata", ctx.now(), table),
    );
    return;
  }
  sendJson(call.res, 200, object);
}
