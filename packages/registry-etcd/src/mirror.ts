import type { ServiceInstance, TimerHandle } from "@switchyard/api";
import { type Backoff, createBackoff } from "@switchyard/kit";
import type { Etcd3 } from "etcd3";
import { toRegistryError } from "./errors.js";
import { type ServiceRange, serviceRange } from "./layout.js";
import { RangeWatch, type RangeWatchHandlers, type WatchEvent } from "./range-watch.js";
import { decodeEntry, readService } from "./read.js";
import { debug, warn } from "./report.js";
import type { Settings } from "./settings.js";

/** What a mirror needs from its registry. */
export interface MirrorDeps {
  readonly client: Etcd3;
  readonly settings: Settings;
  readonly endpoints: readonly string[];
}

/**
 * Keeps a copy of one service's instances in step with etcd. It reads the prefix once, then
 * watches it from the revision after that read and applies each put and delete. When the watch
 * breaks it resumes from the last revision it applied, so nothing is missed or applied twice;
 * only when etcd compacted that revision away (or lost its data) does it read everything again.
 * Failures are retried with backoff and never clear the copy. `onChange` runs after each change.
 */
export class ServiceMirror {
  private readonly deps: MirrorDeps;
  private readonly service: string;
  private readonly quoted: string;
  private readonly range: ServiceRange;
  private readonly onChange: () => void;
  private readonly backoff: Backoff;
  private readonly handlers: RangeWatchHandlers;
  private entries = new Map<string, ServiceInstance>();
  private skipped = new Map<string, string>();
  private list: readonly ServiceInstance[] | undefined = undefined;
  /** The last revision the copy reflects; the watch resumes after it. */
  private revision = 0n;
  private synced = false;
  /** Whether the current watch resumes an interrupted one (for the log). */
  private resuming = false;
  private watch: RangeWatch | undefined = undefined;
  private timer: TimerHandle | undefined = undefined;
  private stopped = false;

  constructor(deps: MirrorDeps, service: string, onChange: () => void) {
    this.deps = deps;
    this.service = service;
    this.quoted = JSON.stringify(service);
    this.range = serviceRange(deps.settings.namespace, service);
    this.onChange = onChange;
    this.backoff = createBackoff(deps.settings.backoff, "etcd: backoff");
    this.handlers = {
      created: (current) => this.created(current),
      events: (events) => this.applyAll(events),
      progress: (current) => {
        if (current > this.revision) this.revision = current;
      },
      compacted: (compactRevision) => {
        this.watch = undefined;
        warn(
          this.deps.settings,
          `etcd: the watch of ${this.quoted} reads everything again: etcd compacted its history up to revision ${compactRevision}, past revision ${this.revision + 1n} where it would resume`,
        );
        this.resync();
      },
      failed: (error) => {
        this.watch = undefined;
        this.resuming = true;
        const what = `watching ${this.quoted} (to resume after revision ${this.revision})`;
        this.retry(error, what, () => this.follow());
      },
    };
  }

  /** Starts reading and watching. */
  start(): void {
    this.resync();
  }

  /** The instances, frozen, in key order; `undefined` until the first read succeeded. */
  current(): readonly ServiceInstance[] | undefined {
    if (!this.synced) return undefined;
    this.list ??= Object.freeze([...this.entries.values()]);
    return this.list;
  }

  /** Stops at once: cancels the watch and any retry; results still in flight are dropped. Idempotent. */
  stop(): void {
    this.stopped = true;
    this.watch?.close();
    this.watch = undefined;
    if (this.timer !== undefined) this.deps.settings.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private resync(): void {
    const { client, settings } = this.deps;
    readService(client, this.range, this.service, Date.now() + settings.requestTimeoutMs)
      .then((read) => {
        if (this.stopped) return;
        for (const [key, reason] of read.skipped) {
          if (this.skipped.get(key) !== reason) this.logSkipped(key, reason);
        }
        this.entries = read.entries;
        this.skipped = read.skipped;
        this.revision = read.revision;
        this.synced = true;
        this.resuming = false;
        this.changed();
        this.follow();
      })
      // A failed read, or a throw while applying it (a logger or listener of the user's): retry.
      .catch((error: unknown) => this.retry(error, `reading ${this.quoted}`, () => this.resync()));
  }

  private follow(): void {
    if (this.stopped) return;
    const { client, settings } = this.deps;
    this.watch = new RangeWatch(client, this.range, this.revision + 1n, settings, this.handlers);
  }

  private created(current: bigint): void {
    this.backoff.reset();
    if (current < this.revision) {
      this.watch?.close();
      this.watch = undefined;
      warn(
        this.deps.settings,
        `etcd: the watch of ${this.quoted} reads everything again: etcd is at revision ${current}, older than revision ${this.revision} it had seen (etcd lost its data, or is another cluster)`,
      );
      this.resync();
      return;
    }
    if (this.resuming) {
      debug(this.deps.settings, `etcd: the watch of ${this.quoted} resumed after revision ${this.revision}`);
    }
    this.resuming = false;
  }

  private applyAll(events: readonly WatchEvent[]): void {
    const floor = this.revision;
    let changed = false;
    for (const event of events) {
      const revision = BigInt(event.kv.mod_revision);
      if (revision <= floor) continue; // already applied (one revision never spans two responses)
      if (revision > this.revision) this.revision = revision;
      changed = this.apply(event) || changed;
    }
    if (changed) this.changed();
  }

  private apply(event: WatchEvent): boolean {
    const key = event.kv.key.toString("utf8");
    if (event.type === "Delete") {
      this.skipped.delete(key);
      return this.entries.delete(key);
    }
    const before = this.skipped.get(key);
    decodeEntry(event.kv, this.range, this.service, this.entries, this.skipped);
    const reason = this.skipped.get(key);
    if (reason !== undefined && reason !== before) this.logSkipped(key, reason);
    return true;
  }

  private retry(error: unknown, what: string, again: () => void): void {
    if (this.stopped) return;
    const delay = this.backoff.next();
    const failure = toRegistryError(error, what, this.deps);
    warn(this.deps.settings, `${failure.message}; retrying in ${Math.round(delay)} ms`, {
      service: this.service,
    });
    this.timer = this.deps.settings.clock.setTimeout(() => {
      this.timer = undefined;
      again();
    }, delay);
  }

  private changed(): void {
    this.list = undefined;
    this.onChange();
  }

  private logSkipped(key: string, reason: string): void {
    warn(this.deps.settings, `etcd: skipped the entry ${JSON.stringify(key)} of ${this.quoted}: ${reason}`, {
      service: this.service,
      key,
    });
  }
}
