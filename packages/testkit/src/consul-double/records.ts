import type { TimerHandle } from "@switchyard/api";
import type { CheckDefinition, ServiceDefinition } from "./decode.js";
import type { ConsulCheckStatus } from "./types.js";

/** A registered service instance, with its catalog indexes. */
export interface StoredService extends ServiceDefinition {
  /** `partition/namespace` ("" in the community edition). */
  readonly scope: string;
  readonly createIndex: number;
  modifyIndex: number;
}

/** A check of a service, with its live status. */
export interface StoredCheck {
  readonly def: CheckDefinition;
  readonly scope: string;
  readonly serviceId: string;
  readonly serviceName: string;
  readonly serviceTags: readonly string[];
  status: ConsulCheckStatus;
  output: string;
  /** `clock.now()` when the check last became critical; undefined while it is not critical. */
  criticalSince: number | undefined;
  timer: TimerHandle | undefined;
  readonly createIndex: number;
  modifyIndex: number;
}

/**
 * Whether registering `def` again would change nothing the catalog holds (Consul's anti-entropy
 * then finds the catalog in sync and writes nothing).
 */
export function unchanged(
  previous: StoredService,
  checks: readonly StoredCheck[],
  def: ServiceDefinition,
  replaceExistingChecks: boolean,
): boolean {
  const { scope: _s, createIndex: _c, modifyIndex: _m, ...held } = previous;
  if (JSON.stringify(held) !== JSON.stringify(def)) return false;
  const ids = def.checks.map((c) => c.checkId);
  if (ids.some((id) => !checks.some((c) => c.def.checkId === id))) return false;
  return !replaceExistingChecks || checks.length === ids.length;
}
