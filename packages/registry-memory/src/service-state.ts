import type { ServiceInstance } from "@switchyard/api";
import { sameInstances } from "@switchyard/api";
import type { ListWatcher } from "@switchyard/kit";
import type { Lease } from "./lease.js";

/** A registered instance and its lease (none when it never expires). */
export interface InstanceRecord {
  readonly instance: ServiceInstance;
  readonly lease: Lease | undefined;
}

/** The frozen empty list every unknown service answers with. */
export const EMPTY_LIST: readonly ServiceInstance[] = Object.freeze([]);

/**
 * One service of a memory registry: its instances by id, its watchers, and the frozen list both
 * hand out. Changes mark the list stale; watchers hear about them on a microtask, so every change
 * made in one synchronous run reaches them as one list, and never from inside the call that made
 * it.
 */
export class ServiceState {
  readonly name: string;
  readonly records = new Map<string, InstanceRecord>();
  readonly watchers = new Set<ListWatcher>();
  private readonly onIdle: (state: ServiceState) => void;
  private list: readonly ServiceInstance[] = EMPTY_LIST;
  private stale = false;
  private queued = false;

  /** `onIdle` runs when the service has neither instances nor watchers left. */
  constructor(name: string, onIdle: (state: ServiceState) => void) {
    this.name = name;
    this.onIdle = onIdle;
  }

  /** The current list; a rebuilt list equal to the previous one keeps the previous object. */
  current(): readonly ServiceInstance[] {
    if (this.stale) {
      this.stale = false;
      const next = Object.freeze(Array.from(this.records.values(), (record) => record.instance));
      if (!sameInstances(this.list, next)) this.list = next;
    }
    return this.list;
  }

  /** Records that the instances changed and schedules the watchers' wake-up. */
  changed(): void {
    this.stale = true;
    if (this.queued || this.watchers.size === 0) return;
    this.queued = true;
    queueMicrotask(this.notify);
  }

  /** Forgets a stopped watcher. */
  detach(watcher: ListWatcher): void {
    this.watchers.delete(watcher);
    this.releaseIfIdle();
  }

  /** Calls `onIdle` when no instance and no watcher is left. */
  releaseIfIdle(): void {
    if (this.records.size === 0 && this.watchers.size === 0) this.onIdle(this);
  }

  private readonly notify = (): void => {
    this.queued = false;
    if (this.watchers.size === 0) return;
    const list = this.current();
    for (const watcher of this.watchers) watcher.offer(list);
  };
}
