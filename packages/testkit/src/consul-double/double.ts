import { DoubleServer } from "./server.js";
import type {
  ConsulCheckStatus,
  ConsulDoubleCheck,
  ConsulDoubleOptions,
  ConsulFault,
  ConsulFaultOptions,
  ConsulRecordedRequest,
} from "./types.js";

/** A namespace and partition, for a double started with `enterprise: true`. */
export interface ConsulDoubleScope {
  readonly namespace?: string;
  readonly partition?: string;
}

/** A running Consul double, and the controls tests drive it with. */
export interface ConsulDouble {
  /** `127.0.0.1:<port>`, the form of `CONSUL_HTTP_ADDR`. */
  readonly address: string;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Every request received so far, oldest first. */
  readonly requests: readonly ConsulRecordedRequest[];
  /** Resolves with the next request to arrive that matches `filter` (default: any). */
  nextRequest(filter?: (request: ConsulRecordedRequest) => boolean): Promise<ConsulRecordedRequest>;
  /** Number of blocking queries being held right now. */
  heldQueries(): number;
  /** Plays `fault` on the next matching request(s); see {@link ConsulFault}. */
  injectFault(fault: ConsulFault, options?: ConsulFaultOptions): void;
  /** Drops every fault not yet played. */
  clearFaults(): void;
  /** Simulates the agent going away: stops listening and drops every connection. State is kept. */
  down(): Promise<void>;
  /** Listens again on the same port after {@link ConsulDouble.down}. */
  up(): Promise<void>;
  /** The global raft index. */
  index(): number;
  /**
   * Sets every index to `to` (default 1), as after a snapshot restore: held blocking queries with
   * a higher index keep waiting until their `wait` elapses, then see the index go backwards.
   */
  resetIndex(to?: number): void;
  /**
   * Sets a check's status (any check type; a TTL check's clock restarts).
   * @throws RangeError when there is no such check.
   */
  setCheckStatus(
    checkId: string,
    status: ConsulCheckStatus,
    output?: string,
    scope?: ConsulDoubleScope,
  ): void;
  /** The checks the agent holds, in every scope. */
  checks(): ConsulDoubleCheck[];
  /** Ids of the services the agent holds, in every scope. */
  serviceIds(): string[];
  /** Forgets every service and check, as a dev-mode agent does when it restarts. */
  forgetAll(): void;
  /** Stops the server, its timers and every held query. Idempotent. */
  close(): Promise<void>;
}

function scopeKey(scope: ConsulDoubleScope | undefined, enterprise: boolean): string {
  if (!enterprise) return "";
  return `${scope?.partition ?? "default"}/${scope?.namespace ?? "default"}`;
}

/**
 * Starts a double of the Consul agent HTTP API on 127.0.0.1: service register/deregister, TTL
 * checks (pass/warn/fail/update, expiry to critical), `DeregisterCriticalServiceAfter` reaping,
 * `/v1/health/service/:name` with `passing`, `tag`, `node-meta` and `dc`, the catalog reads
 * `/v1/catalog/service/:name` and `/v1/catalog/services`, blocking queries on all three (`index`,
 * `wait`, `X-Consul-Index`), ACL tokens, and the read endpoints `/v1/agent/service/:id`,
 * `/v1/agent/services`, `/v1/agent/checks`. Checks other than TTL are stored but not run: they
 * keep their initial status (critical unless the definition sets `Status`) until
 * {@link ConsulDouble.setCheckStatus} changes it. Close it in `afterEach`.
 * @throws Error (as a rejection) when the port cannot be listened on.
 */
export async function startConsulDouble(options: ConsulDoubleOptions = {}): Promise<ConsulDouble> {
  const server = new DoubleServer(options);
  await server.listen(options.port ?? 0);
  const { ctx } = server;
  const enterprise = ctx.node.enterprise;
  let closed = false;
  const address = `127.0.0.1:${server.port}`;
  return {
    address,
    url: `http://${address}`,
    requests: server.requests,
    nextRequest: (filter) => server.nextRequest(filter),
    heldQueries: () => ctx.held,
    injectFault: (fault, faultOptions) => server.faults.add(fault, faultOptions),
    clearFaults: () => server.faults.clear(),
    down: () => server.stopListening(),
    up: () => (closed ? Promise.reject(new Error("consul double: closed")) : server.listen(server.port)),
    index: () => ctx.state.index,
    resetIndex: (to = 1) => ctx.state.resetIndex(to),
    setCheckStatus(checkId, status, output = "", scope) {
      const check = ctx.state.check(scopeKey(scope, enterprise), checkId);
      if (check === undefined) throw new RangeError(`consul double: no check ${JSON.stringify(checkId)}`);
      ctx.state.updateCheck(check, status, output);
    },
    checks: () =>
      ctx.state.allChecks(undefined).map((c) => ({
        checkId: c.def.checkId,
        name: c.def.name,
        status: c.status,
        output: c.output,
        serviceId: c.serviceId,
        type: c.def.type,
        definition: c.def.definition,
      })),
    serviceIds: () => ctx.state.allServices(undefined).map((s) => s.id),
    forgetAll() {
      for (const service of ctx.state.allServices(undefined)) ctx.state.deregister(service.scope, service.id);
    },
    async close() {
      if (closed) return;
      closed = true;
      ctx.state.close();
      server.stopReaper();
      server.faults.clear();
      await server.stopListening();
    },
  };
}
