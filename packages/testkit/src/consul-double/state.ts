import type { Clock } from "@switchyard/api";
import type { ServiceDefinition } from "./decode.js";
import { type StoredCheck, type StoredService, unchanged } from "./records.js";
import type { ConsulCheckStatus } from "./types.js";

export type { StoredCheck, StoredService } from "./records.js";

const key = (scope: string, id: string): string => `${scope}\u0000${id}`;

/**
 * The catalog of one agent: services, their checks, and the raft-like indexes blocking queries
 * wait on. Every write bumps the global index and the index of the service name it touched;
 * a check update that changes neither status nor output writes nothing (as Consul's local state).
 */
export class CatalogState {
  private readonly clock: Clock;
  private readonly services = new Map<string, StoredService>();
  private readonly checks = new Map<string, StoredCheck>();
  private readonly serviceIndexes = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private closed = false;
  index: number;
  /**
   * The index of the services table (what `/v1/catalog/services` blocks on): moved by writes of
   * a service definition (registration, deregistration), not by check updates.
   */
  servicesIndex: number;

  constructor(clock: Clock, initialIndex: number) {
    this.clock = clock;
    this.index = initialIndex;
    this.servicesIndex = initialIndex;
  }

  /** Calls `listener` after every write (and index reset); returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The index a health query of `name` reports: the service's own index, else the global one. */
  indexOf(scope: string, name: string): number {
    return this.serviceIndexes.get(key(scope, name)) ?? this.index;
  }

  service(scope: string, id: string): StoredService | undefined {
    return this.services.get(key(scope, id));
  }

  check(scope: string, checkId: string): StoredCheck | undefined {
    return this.checks.get(key(scope, checkId));
  }

  /** Instances of `name` in `scope`, ordered by id (Consul orders by node, then service id). */
  instances(scope: string, name: string): StoredService[] {
    const found = [...this.services.values()].filter((s) => s.scope === scope && s.name === name);
    return found.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  allServices(scope: string | undefined): StoredService[] {
    return [...this.services.values()].filter((s) => scope === undefined || s.scope === scope);
  }

  checksOf(scope: string, serviceId: string): StoredCheck[] {
    return [...this.checks.values()].filter((c) => c.scope === scope && c.serviceId === serviceId);
  }

  allChecks(scope: string | undefined): StoredCheck[] {
    return [...this.checks.values()].filter((c) => scope === undefined || c.scope === scope);
  }

  /** Adds or replaces a service; checks keep their status across a re-registration (as Consul's snapshot). */
  register(scope: string, def: ServiceDefinition, replaceExistingChecks: boolean): void {
    const previous = this.services.get(key(scope, def.id));
    if (
      previous !== undefined &&
      unchanged(previous, this.checksOf(scope, def.id), def, replaceExistingChecks)
    ) {
      // Anti-entropy finds the catalog in sync: no write, no new index; TTL clocks restart.
      for (const checkDef of def.checks) this.armTtl(this.checks.get(key(scope, checkDef.checkId))!);
      return;
    }
    const index = this.bump(scope, def.name);
    this.servicesIndex = index;
    if (previous !== undefined && previous.name !== def.name) this.bumpName(scope, previous.name, index);
    this.services.set(key(scope, def.id), {
      ...def,
      scope,
      createIndex: previous?.createIndex ?? index,
      modifyIndex: index,
    });
    const kept = new Set(def.checks.map((c) => c.checkId));
    for (const old of this.checksOf(scope, def.id)) {
      if (replaceExistingChecks && !kept.has(old.def.checkId)) this.dropCheck(old);
    }
    for (const checkDef of def.checks) {
      const old = this.checks.get(key(scope, checkDef.checkId));
      if (old !== undefined) this.clock.clearTimeout(old.timer);
      const status = old?.status ?? checkDef.status ?? "critical";
      const check: StoredCheck = {
        def: checkDef,
        scope,
        serviceId: def.id,
        serviceName: def.name,
        serviceTags: def.tags,
        status,
        output: old?.output ?? "",
        criticalSince: status === "critical" ? (old?.criticalSince ?? this.clock.now()) : undefined,
        timer: undefined,
        createIndex: old?.createIndex ?? index,
        modifyIndex: index,
      };
      this.checks.set(key(scope, checkDef.checkId), check);
      this.armTtl(check);
    }
    this.notify();
  }

  /** Removes a service and its checks; false when there is no such service. */
  deregister(scope: string, id: string): boolean {
    const service = this.services.get(key(scope, id));
    if (service === undefined) return false;
    this.services.delete(key(scope, id));
    for (const check of this.checksOf(scope, id)) this.dropCheck(check);
    this.servicesIndex = this.bump(scope, service.name);
    this.notify();
    return true;
  }

  /** Sets a check's status and output; a TTL check's clock restarts whenever this is called. */
  updateCheck(check: StoredCheck, status: ConsulCheckStatus, output: string): void {
    this.armTtl(check);
    this.setStatus(check, status, output);
  }

  private setStatus(check: StoredCheck, status: ConsulCheckStatus, output: string): void {
    if (check.status === status && check.output === output) return;
    if (status === "critical" && check.status !== "critical") check.criticalSince = this.clock.now();
    if (status !== "critical") check.criticalSince = undefined;
    check.status = status;
    check.output = output;
    check.modifyIndex = this.bump(check.scope, check.serviceName);
    this.notify();
  }

  /** Sets every index to `to`, as after restoring an older snapshot; blocking queries re-evaluate. */
  resetIndex(to: number): void {
    this.index = to;
    this.servicesIndex = to;
    for (const name of this.serviceIndexes.keys()) this.serviceIndexes.set(name, to);
    this.notify();
  }

  /** Stops the TTL timers. */
  close(): void {
    this.closed = true;
    for (const check of this.checks.values()) this.clock.clearTimeout(check.timer);
    this.listeners.clear();
  }

  private dropCheck(check: StoredCheck): void {
    this.clock.clearTimeout(check.timer);
    this.checks.delete(key(check.scope, check.def.checkId));
  }

  private armTtl(check: StoredCheck): void {
    const ttl = check.def.ttlMs;
    if (ttl === undefined || this.closed) return;
    this.clock.clearTimeout(check.timer);
    check.timer = this.clock.setTimeout(() => {
      check.timer = undefined;
      if (this.checks.get(key(check.scope, check.def.checkId)) !== check) return;
      // An expired TTL check stays critical until it is updated again.
      const last = check.output === "" ? "" : ` (last output before timeout follows): ${check.output}`;
      this.setStatus(check, "critical", `TTL expired${last}`);
    }, ttl);
  }

  private bump(scope: string, name: string): number {
    this.index += 1;
    this.serviceIndexes.set(key(scope, name), this.index);
    return this.index;
  }

  private bumpName(scope: string, name: string, index: number): void {
    this.serviceIndexes.set(key(scope, name), index);
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
