import type { TimerHandle } from "@switchyard/api";
import type { DoubleContext, ResourceCall, WatchHandle } from "./context.js";
import { selection } from "./selection.js";
import { statusBody, tooOld } from "./status.js";
import type { StoreEvent } from "./store.js";
import { tableVersion, toTable } from "./tables.js";
import type { KubeObject } from "./types.js";

/** The API server's default for a watch without `timeoutSeconds` (its minimum request timeout). */
const DEFAULT_TIMEOUT_S = 1800;

type EventType = "ADDED" | "MODIFIED" | "DELETED";

/** How an event looks through a selector: an object that starts or stops matching is ADDED or DELETED. */
function throughSelector(event: StoreEvent, matches: (o: KubeObject) => boolean): EventType | undefined {
  const now = event.type !== "DELETED" && matches(event.object);
  const before = event.previous !== undefined && matches(event.previous);
  if (event.type === "DELETED") return before ? "DELETED" : undefined;
  if (now && before) return "MODIFIED";
  if (now) return "ADDED";
  return before ? "DELETED" : undefined;
}

/**
 * Serves a watch as the API server does: a 200 whose body is one JSON event per line (ADDED,
 * MODIFIED, DELETED, BOOKMARK, ERROR), starting with the current objects as ADDED when no
 * resourceVersion (or "0") is given, else with every change after it; a resourceVersion older than
 * the last compaction gets an ERROR event carrying 410 Expired. Ends after `timeoutSeconds`.
 */
export function watch(ctx: DoubleContext, call: ResourceCall): void {
  const { request, query, res } = call;
  const { store, clock } = ctx;
  const matches = selection(request, query);
  const table = tableVersion(call.req.headers.accept);
  const include = query.get("includeObject") ?? "Metadata";
  const bookmarks = !table && ["true", "1"].includes(query.get("allowWatchBookmarks") ?? "");
  const inScope = (event: StoreEvent): boolean =>
    event.kind === request.kind && (request.namespace === undefined || event.namespace === request.namespace);
  const rvText = query.get("resourceVersion") ?? "";
  const from = rvText === "" || rvText === "0" ? undefined : Number(rvText);

  res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private" });
  res.flushHeaders();
  let counted = 0;
  let open = true;
  const dropAfter = call.fault?.kind === "drop-after" ? call.fault.events : undefined;

  const write = (type: string, object: unknown, then?: () => void): void => {
    if (!open) return;
    res.write(`${JSON.stringify({ type, object })}\n`, then);
  };
  const send = (type: EventType, object: KubeObject, live: boolean): void => {
    const shown =
      table === undefined
        ? object
        : toTable(
            request.kind,
            [object],
            { resourceVersion: object.metadata?.resourceVersion },
            include,
            ctx.now(),
            table,
          );
    // A drop-after fault destroys the connection once its last event has reached the socket.
    const last = live && dropAfter !== undefined && ++counted >= dropAfter;
    write(type, shown, last ? () => handle.drop() : undefined);
  };

  let timer: TimerHandle | undefined;
  let bookmarkTimer: TimerHandle | undefined;
  let unsubscribe = (): void => {};
  const finish = (): void => {
    if (!open) return;
    open = false;
    unsubscribe();
    clock.clearTimeout(timer);
    clock.clearTimeout(bookmarkTimer);
    ctx.watches.delete(handle);
  };
  const handle: WatchHandle = {
    bookmark() {
      if (!bookmarks || !open) return;
      const apiVersion = request.kind === "Pod" ? "v1" : "discovery.k8s.io/v1";
      write("BOOKMARK", {
        kind: request.kind,
        apiVersion,
        metadata: { resourceVersion: String(store.resourceVersion) },
      });
    },
    end() {
      if (!open) return;
      finish();
      res.end();
    },
    drop() {
      if (!open) return;
      finish();
      res.socket?.destroy();
    },
  };
  res.once("close", finish);
  ctx.watches.add(handle);

  if (call.fault?.kind === "expired" || (from !== undefined && from < store.oldest)) {
    write("ERROR", tooOld(from ?? 0, store.oldest).body());
    handle.end();
    return;
  }
  if (from !== undefined && !Number.isSafeInteger(from)) {
    write("ERROR", statusBody(400, "BadRequest", `resourceVersion: Invalid value: "${rvText}"`));
    handle.end();
    return;
  }
  if (from === undefined) {
    for (const object of store.list(request.kind, request.namespace).filter(matches))
      send("ADDED", object, false);
  } else {
    for (const event of store.since(from)) {
      const type = inScope(event) ? throughSelector(event, matches) : undefined;
      if (type !== undefined) send(type, event.object, false);
    }
  }
  unsubscribe = store.subscribe((event) => {
    const type = inScope(event) ? throughSelector(event, matches) : undefined;
    if (type !== undefined) send(type, event.object, true);
  });
  const seconds = Number(query.get("timeoutSeconds") ?? "");
  timer = clock.setTimeout(() => handle.end(), (seconds > 0 ? seconds : DEFAULT_TIMEOUT_S) * 1000);
  if (bookmarks) {
    const tick = (): void => {
      handle.bookmark();
      if (open) bookmarkTimer = clock.setTimeout(tick, ctx.bookmarkIntervalMs);
    };
    bookmarkTimer = clock.setTimeout(tick, ctx.bookmarkIntervalMs);
  }
}
