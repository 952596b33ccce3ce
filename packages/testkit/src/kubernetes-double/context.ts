import type { IncomingMessage, ServerResponse } from "node:http";
import type { Clock } from "@switchyard/api";
import type { ResourceRequest } from "./resources.js";
import type { ObjectStore } from "./store.js";
import type { KubernetesFault } from "./types.js";

/** What every route of the double shares. */
export interface DoubleContext {
  readonly store: ObjectStore;
  readonly clock: Clock;
  readonly bookmarkIntervalMs: number;
  /** Wall-clock time for timestamps and ages. */
  readonly now: () => Date;
  /** Every watch being served, to bookmark, end or drop from the controls. */
  readonly watches: Set<WatchHandle>;
}

/** One request for a resource, with its parsed parts. */
export interface ResourceCall {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly request: ResourceRequest;
  readonly query: URLSearchParams;
  readonly body: string;
  /** The fault this request plays while being answered (`drop-after`, `expired`), if any. */
  readonly fault: KubernetesFault | undefined;
}

/** A watch stream, as the controls see it. */
export interface WatchHandle {
  /** Sends a BOOKMARK now, when the watch allows them. */
  bookmark(): void;
  /** Ends the stream cleanly, as when its timeout passes. */
  end(): void;
  /** Destroys the connection mid-stream. */
  drop(): void;
}
