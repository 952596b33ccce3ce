// List-then-watch for one service, as client-go's reflector does it: list (in pages) to get the
// objects and a resourceVersion, then watch from that resourceVersion with bookmarks, apply each
// event, and when the watch ends (its timeout, a dropped connection) watch again from the last
// resourceVersion seen. A 410 Gone (the history was compacted) starts over with a fresh list. Errors
// are reported and retried with backoff and jitter; the objects last read stay meanwhile.
import { RegistryError } from "@switchyard/api";
import { type Backoff, createBackoff, SafeRandom, WakeableSleep } from "@switchyard/kit";
import type { ApiStream, KubeHttp } from "./http.js";
import { listAll } from "./list.js";
import { isObject, type KubeObject } from "./objects.js";
import type { ServiceResource } from "./resource.js";
import type { Settings } from "./settings.js";

/** A watch that ends sooner than this with nothing in it counts as a failure, so that it backs off. */
const MIN_WATCH_MS = 1000;

/** What the reflector tells its owner. */
export interface ReflectorEvents {
  /** The objects changed (called on a later turn, once per burst of events). */
  readonly changed: (objects: ReadonlyMap<string, KubeObject>) => void;
  /** A failure that is retried in `retryInMs`. */
  readonly failed: (error: unknown, retryInMs: number) => void;
}

class Gone extends Error {}

export class Reflector {
  private readonly http: KubeHttp;
  private readonly settings: Settings;
  private readonly resource: ServiceResource;
  private readonly events: ReflectorEvents;
  private readonly abort = new AbortController();
  private readonly backoff: Backoff;
  private readonly draw: SafeRandom;
  private readonly objects = new Map<string, KubeObject>();
  private resourceVersion: string | undefined = undefined;
  private stream: ApiStream | undefined = undefined;
  private readonly pause: WakeableSleep;
  private scheduled = false;
  private stopped = false;

  constructor(http: KubeHttp, settings: Settings, resource: ServiceResource, events: ReflectorEvents) {
    this.http = http;
    this.settings = settings;
    this.resource = resource;
    this.events = events;
    this.backoff = createBackoff(settings.backoff, "kubernetes: backoff");
    this.draw = new SafeRandom(settings.random, "kubernetes: watch timeout");
    this.pause = new WakeableSleep(settings.clock);
  }

  /** Starts on a later tick: nothing is sent from the call that created the watcher. */
  start(): void {
    queueMicrotask(() => {
      this.run().catch((error: unknown) => {
        if (!this.stopped) this.events.failed(error, 0);
      });
    });
  }

  /** Stops at once: aborts the request in flight and any wait. Idempotent. */
  stop(reason: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort(reason);
    this.stream?.close();
    this.pause.wake();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let failure: unknown;
      try {
        if (this.resourceVersion === undefined) await this.relist();
        const started = this.settings.clock.now();
        const seen = await this.watchOnce();
        if (seen === 0 && this.settings.clock.now() - started < MIN_WATCH_MS) {
          failure = new RegistryError(
            `kubernetes: the watch of ${this.resource.describe} ended at once with no event; the API server or a proxy closes watches`,
            { retryable: true },
          );
        } else this.backoff.reset();
      } catch (error) {
        if (this.stopped) return;
        if (error instanceof Gone || (error instanceof RegistryError && error.status === 410)) {
          this.resourceVersion = undefined; // compacted: list again at once
          continue;
        }
        failure = error;
      }
      if (failure === undefined || this.stopped) continue;
      const delay = this.backoff.next();
      this.events.failed(failure, delay);
      await this.pause.sleep(delay);
    }
  }

  private async relist(): Promise<void> {
    const snapshot = await listAll(this.http, this.settings, this.resource, this.abort.signal);
    if (this.stopped) return;
    this.objects.clear();
    for (const [name, object] of snapshot.objects) this.objects.set(name, object);
    this.resourceVersion = snapshot.resourceVersion;
    this.backoff.reset();
    this.schedule();
  }

  /** Watches from the last resourceVersion until the stream ends; returns how many events came. */
  private async watchOnce(): Promise<number> {
    const { settings, resource } = this;
    const timeoutMs = settings.watchTimeoutMs ?? 300_000 * (1 + this.draw.next());
    const stream = await this.http.stream(
      {
        path: resource.path,
        query: {
          watch: "1",
          labelSelector: resource.labelSelector,
          resourceVersion: this.resourceVersion,
          allowWatchBookmarks: "true",
          timeoutSeconds: String(Math.max(1, Math.round(timeoutMs / 1000))),
        },
        signal: this.abort.signal,
        what: `watching ${resource.describe} in namespace "${settings.namespace}"`,
        resource: resource.resource,
      },
      timeoutMs + settings.requestTimeoutMs,
    );
    this.stream = stream;
    let seen = 0;
    try {
      for await (const line of stream.lines()) {
        if (this.stopped) break;
        this.apply(line);
        seen++;
      }
    } finally {
      this.stream = undefined;
      stream.close();
    }
    return seen;
  }

  private apply(line: string): void {
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      throw new RegistryError(
        `kubernetes: the watch of ${this.resource.describe} sent a line that is not JSON`,
        { retryable: true },
      );
    }
    const type = isObject(event) ? event.type : undefined;
    const object = (isObject(event) && isObject(event.object) ? event.object : {}) as KubeObject;
    if (type === "ERROR") {
      const code = object.code;
      const message =
        typeof object.message === "string" ? this.settings.secrets.redact(object.message) : "(no message)";
      if (code === 410) throw new Gone(message);
      throw new RegistryError(
        `kubernetes: the watch of ${this.resource.describe} failed (${String(code)}: ${message})`,
        {
          status: typeof code === "number" ? code : undefined,
          retryable: true,
        },
      );
    }
    const rv = object.metadata?.resourceVersion;
    if (typeof rv === "string" && rv !== "") this.resourceVersion = rv;
    const name = object.metadata?.name ?? "";
    if (type === "ADDED" || type === "MODIFIED") this.objects.set(name, object);
    else if (type === "DELETED") this.objects.delete(name);
    else return; // BOOKMARK: only the resourceVersion moves
    this.schedule();
  }

  /** Tells the owner once per burst: events that arrive together give one list. */
  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.stopped) this.events.changed(this.objects);
    });
  }
}
