// The most used Node Consul client, npm's `consul`, written by no one here, against the double:
// what a user testing their own Consul code with `@switchyard/testkit/consul` runs into first.
import { EventEmitter } from "node:events";
import Consul from "consul";
import { afterEach, describe, expect, it } from "vitest";
import { type ConsulDouble, startConsulDouble } from "../src/consul.js";
import { createFakeClock, type FakeClock } from "../src/fake-clock.js";

let double: ConsulDouble;
let clock: FakeClock;
let consul: Consul;

afterEach(async () => {
  (consul as unknown as { destroy(): void } | undefined)?.destroy();
  await double?.close();
});

async function start(): Promise<void> {
  clock = createFakeClock();
  double = await startConsulDouble({ clock, blockingJitter: false });
  consul = new Consul({ host: "127.0.0.1", port: Number(double.address.split(":")[1]) });
}

/** What the client hands back when asked for the response too: `[response, body]`. */
type WithResponse = [{ headers: Record<string, string> }, unknown];

/** Options that make the client resolve with the response as well, for its X-Consul-Index. */
const withResponse = () => ({ ctx: Object.assign(new EventEmitter(), { includeResponse: true }) });

const indexOf = ([response]: WithResponse): string => response.headers["x-consul-index"] ?? "";

interface HealthEntry {
  readonly Service: { readonly ID: string; readonly Tags: string[] };
  readonly Checks: ReadonlyArray<{ readonly CheckID: string; readonly Status: string }>;
}

const ttlCheck = (id: string) => ({
  name: `TTL of ${id}`,
  checkid: `service:${id}`,
  ttl: "30s",
  timeout: "1s",
  deregistercriticalserviceafter: "1m",
});

describe("the npm consul client against the double", () => {
  it("registers, passes a TTL check, follows health.service with a blocking query, reads the catalog and deregisters", async () => {
    await start();
    await consul.agent.service.register({
      id: "api-1",
      name: "api",
      address: "10.0.0.5",
      port: 8000,
      tags: ["version=1.0.0", "primary"],
      meta: { zone: "a" },
      check: ttlCheck("api-1"),
    });
    expect(await consul.health.service({ service: "api", passing: true })).toEqual([]); // critical at first
    await consul.agent.check.pass({ id: "service:api-1", note: "up" });

    const firstQuery = { service: "api", passing: true, ...withResponse() };
    const first = (await consul.health.service(firstQuery)) as unknown as WithResponse;
    expect((first[1] as HealthEntry[]).map((e) => e.Service.ID)).toEqual(["api-1"]);
    expect(Number(indexOf(first))).toBeGreaterThan(0);

    const blocking = { service: "api", passing: true, index: indexOf(first), wait: "1m", ...withResponse() };
    const held = consul.health.service(blocking) as unknown as Promise<WithResponse>;
    await double.nextRequest();
    expect(double.heldQueries()).toBe(1);
    await consul.agent.service.register({ id: "api-2", name: "api", address: "10.0.0.6", port: 8000 });
    const changed = await held;
    expect((changed[1] as HealthEntry[]).map((e) => e.Service.ID)).toEqual(["api-1", "api-2"]);
    expect(Number(indexOf(changed))).toBeGreaterThan(Number(indexOf(first)));

    const nodes = (await consul.catalog.service.nodes("api")) as Array<Record<string, unknown>>;
    expect(nodes.map((n) => [n.ServiceID, n.ServiceAddress, n.ServicePort])).toEqual([
      ["api-1", "10.0.0.5", 8000],
      ["api-2", "10.0.0.6", 8000],
    ]);
    expect(nodes[0]).toMatchObject({ Node: "consul-double", ServiceMeta: { zone: "a" } });
    const tagged = (await consul.catalog.service.nodes({ service: "api", tag: "primary" })) as unknown[];
    expect(tagged).toHaveLength(1);
    expect(await consul.catalog.service.list()).toEqual({ api: ["primary", "version=1.0.0"] });

    await consul.agent.service.deregister("api-1");
    await consul.agent.service.deregister({ id: "api-2" });
    expect(await consul.catalog.service.list()).toEqual({});
    expect(await consul.catalog.service.nodes("api")).toEqual([]);
    expect(double.serviceIds()).toEqual([]);
  });

  it("sees an expired TTL take the instance out of passing health but not out of the catalog", async () => {
    await start();
    await consul.agent.service.register({ id: "api-1", name: "api", port: 8000, check: ttlCheck("api-1") });
    await consul.agent.check.pass("service:api-1");
    const passing = (await consul.health.service({ service: "api", passing: true })) as HealthEntry[];
    expect(passing.map((e) => e.Service.ID)).toEqual(["api-1"]);
    clock.advance(30_000);
    expect(await consul.health.service({ service: "api", passing: true })).toEqual([]);
    const all = (await consul.health.service("api")) as HealthEntry[];
    expect(all[0]?.Checks.map((c) => [c.CheckID, c.Status])).toEqual([
      ["serfHealth", "passing"],
      ["service:api-1", "critical"],
    ]);
    expect(((await consul.catalog.service.nodes("api")) as unknown[]).length).toBe(1);
  });

  it("follows the catalog with the client's own watch helper", async () => {
    await start();
    await consul.agent.service.register({ id: "api-1", name: "api", port: 8000 });
    const watch = consul.watch({ method: consul.catalog.service.nodes, options: { service: "api" } });
    const changes: string[][] = [];
    const waiting = new Set<() => void>();
    watch.on("change", (nodes: Array<{ ServiceID: string }>) => {
      changes.push(nodes.map((n) => n.ServiceID));
      for (const wake of [...waiting]) wake();
    });
    const errors: unknown[] = [];
    watch.on("error", (error: unknown) => errors.push(error));
    const seen = (count: number) =>
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (changes.length < count) return;
          waiting.delete(check);
          resolve();
        };
        waiting.add(check);
        check();
      });
    await seen(1);
    await consul.agent.service.register({ id: "api-2", name: "api", port: 8001 });
    await seen(2);
    watch.end();
    expect(changes).toEqual([["api-1"], ["api-1", "api-2"]]);
    expect(errors).toEqual([]);
  });
});
