// Watches against a real DNS server (dnsmasq): records change, names vanish, the server stops
// answering. The schedule runs on the fake clock; where a real query must complete, the test waits
// for it (its log line or its result), never for a time.
import { type ServiceInstance, WatcherStoppedError } from "@switchyard/api";
import { pendingHolds } from "@switchyard/kit";
import { createFakeClock, type FakeClock, flushMicrotasks } from "@switchyard/testkit";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { createDnsDiscovery, type DnsDiscoveryOptions } from "../src/index.js";
import { type Dnsmasq, startDnsmasq } from "./dnsmasq.js";
import { idsOf, type RecordingLogger, recordingLogger } from "./helpers.js";
import { startRelay } from "./udp-servers.js";

let dns: Dnsmasq;
beforeAll(async () => {
  dns = await startDnsmasq();
});
afterAll(() => dns?.stop());

interface Setup {
  readonly clock: FakeClock;
  readonly logger: RecordingLogger;
  readonly discovery: ReturnType<typeof createDnsDiscovery>;
}

function setup(options: DnsDiscoveryOptions = {}): Setup {
  const clock = createFakeClock();
  const logger = recordingLogger();
  const discovery = createDnsDiscovery({ servers: [dns.server], clock, logger, ...options });
  onTestFinished(() => discovery.close());
  return { clock, logger, discovery };
}

/** Moves the clock to the next resolution and waits until it has been answered. */
async function resolveAgain({ clock, logger }: Setup, ms: number): Promise<void> {
  const answered = logger.next("debug", /gave/);
  clock.advance(ms);
  await answered;
}

/** Whether `promise` has settled, once pending callbacks have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await flushMicrotasks();
  return done;
}

const ids = (list: readonly ServiceInstance[]) => idsOf(list);

describe("a watch", () => {
  it("gives the current list first, then the list after each record change, at the records' TTL", async () => {
    await dns.setRecords({ ttl: 5, hosts: { "web.test": ["10.0.0.1"] } });
    const s = setup({ family: 4 });
    const watcher = s.discovery.watch("web.test:80");
    expect(ids(await watcher.next())).toEqual(["10.0.0.1:80"]);
    expect(s.logger.lines.at(-1)?.details).toMatchObject({ ttl: 5, nextInMs: 5000 });
    await dns.setHosts({ "web.test": ["10.0.0.1", "10.0.0.2"] });
    const next = watcher.next();
    s.clock.advance(4999);
    expect(await settled(next)).toBe(false);
    s.clock.advance(1);
    expect(ids(await next)).toEqual(["10.0.0.1:80", "10.0.0.2:80"]);
  });

  it("yields only real changes: an unchanged answer gives nothing", async () => {
    await dns.setRecords({ ttl: 1, hosts: { "web.test": ["10.0.0.1"] } });
    const s = setup({ family: 4 });
    const watcher = s.discovery.watch("web.test:80");
    await watcher.next();
    const next = watcher.next();
    await resolveAgain(s, 1000);
    await resolveAgain(s, 1000);
    expect(await settled(next)).toBe(false);
    await dns.setHosts({ "web.test": ["10.0.0.3"] });
    await resolveAgain(s, 1000);
    expect(ids(await next)).toEqual(["10.0.0.3:80"]);
  });

  it("follows SRV records as they change: a target added, a weight changed", async () => {
    const srv = (weight: number, extra = false) => [
      { name: "_grpc._tcp.api.test", target: "a.api.test", port: 9000, weight },
      ...(extra ? [{ name: "_grpc._tcp.api.test", target: "b.api.test", port: 9000, weight: 5 }] : []),
    ];
    const hosts = { "a.api.test": ["10.0.0.1"], "b.api.test": ["10.0.0.2"] };
    await dns.setRecords({ ttl: 2, srv: srv(10), hosts });
    const s = setup({ services: { api: "_grpc._tcp.api.test" } });
    const watcher = s.discovery.watch("api");
    expect((await watcher.next()).map((i) => [i.id, i.metadata.weight, i.endpoints[0]])).toEqual([
      ["10.0.0.1:9000", "10", "grpc://10.0.0.1:9000"],
    ]);
    await dns.setRecords({ ttl: 2, srv: srv(10, true), hosts });
    await resolveAgain(s, 2000);
    expect(ids(await watcher.next())).toEqual(["10.0.0.1:9000", "10.0.0.2:9000"]);
    await dns.setRecords({ ttl: 2, srv: srv(50, true), hosts });
    await resolveAgain(s, 2000);
    const list = await watcher.next();
    expect(list.find((i) => i.id === "10.0.0.1:9000")?.metadata.weight).toBe("50");
  });

  it("gives an empty list once the name is gone (NXDOMAIN), and the instances when it is back", async () => {
    await dns.setRecords({ hosts: { "web.test": ["10.0.0.1"] } });
    const s = setup({ family: 4 });
    const watcher = s.discovery.watch("web.test:80");
    expect(ids(await watcher.next())).toEqual(["10.0.0.1:80"]);
    await dns.setHosts({});
    await resolveAgain(s, 1000);
    expect(await watcher.next()).toEqual([]);
    await dns.setHosts({ "web.test": ["10.0.0.4"] });
    await resolveAgain(s, 1000);
    expect(ids(await watcher.next())).toEqual(["10.0.0.4:80"]);
  });

  it("follows AAAA records through a server on ::1", async () => {
    await dns.setRecords({ hosts: { "web.test": ["fd00::1"] } });
    const s = setup({ servers: [dns.server6], family: 6 });
    const watcher = s.discovery.watch("web.test:443");
    expect((await watcher.next())[0]?.endpoints).toEqual(["http://[fd00::1]:443"]);
    await dns.setHosts({ "web.test": ["fd00::1", "fd00::2"] });
    await resolveAgain(s, 1000);
    expect(ids(await watcher.next())).toEqual(["[fd00::1]:443", "[fd00::2]:443"]);
  });
});

describe("a watch whose server stops answering", () => {
  it("keeps the last list: next() waits, no error reaches it, and the watch goes on with backoff once the server answers", async () => {
    await dns.setRecords({ hosts: { "web.test": ["10.0.0.1"] } });
    const relay = await startRelay(dns.server);
    onTestFinished(() => relay.close());
    const s = setup({
      servers: [relay.address],
      family: 4,
      timeoutMs: 500,
      attempts: 1,
      backoff: { initialMs: 2000, jitter: 0 },
    });
    const watcher = s.discovery.watch("web.test:80");
    expect(ids(await watcher.next())).toEqual(["10.0.0.1:80"]);
    const next = watcher.next();

    relay.swallow = true;
    s.clock.advance(1000);
    await relay.received(2);
    const failed = s.logger.next("warn", /failed/);
    s.clock.advance(500);
    expect((await failed).message).toBe(
      `dns: resolving "web.test:80" (A/AAAA web.test:80) failed: dns: no server answered A web.test (${relay.address}: ${relay.address} did not answer over UDP within 500 ms); check that the servers are reachable and serve this name; retrying in 2000 ms; the last 1 instance(s) keep serving`,
    );
    const failedAgain = s.logger.next("warn", /retrying in 3200 ms/);
    s.clock.advance(2000);
    await relay.received(3);
    s.clock.advance(500);
    await failedAgain;
    expect(await settled(next)).toBe(false);

    relay.swallow = false;
    await dns.setHosts({ "web.test": ["10.0.0.2"] });
    const resolved = s.logger.next("debug", /gave 1 instance/);
    s.clock.advance(3200);
    await resolved;
    expect(ids(await next)).toEqual(["10.0.0.2:80"]);
  });

  it("makes the first next() wait until the server answers, holding the process meanwhile", async () => {
    await dns.setRecords({ hosts: { "web.test": ["10.0.0.1"] } });
    const relay = await startRelay(dns.server);
    onTestFinished(() => relay.close());
    relay.swallow = true;
    const s = setup({
      servers: [relay.address],
      family: 4,
      timeoutMs: 500,
      attempts: 1,
      backoff: { jitter: 0 },
    });
    const holds = pendingHolds();
    const watcher = s.discovery.watch("web.test:80");
    const first = watcher.next();
    expect(pendingHolds()).toBe(holds + 1);
    await relay.received(1);
    const failed = s.logger.next("warn", /no list yet, next\(\) waits$/);
    s.clock.advance(500);
    await failed;
    expect(await settled(first)).toBe(false);
    relay.swallow = false;
    s.clock.advance(1000);
    expect(ids(await first)).toEqual(["10.0.0.1:80"]);
    expect(pendingHolds()).toBe(holds);
  });

  it("asks the next server when the first does not answer", async () => {
    await dns.setRecords({ hosts: { "web.test": ["10.0.0.1"] } });
    const relay = await startRelay(dns.server);
    onTestFinished(() => relay.close());
    relay.swallow = true;
    const s = setup({ servers: [relay.address, dns.server6], family: 4, timeoutMs: 500 });
    const first = s.discovery.watch("web.test:80").next();
    await relay.received(1);
    s.clock.advance(500);
    expect(ids(await first)).toEqual(["10.0.0.1:80"]);
  });
});

describe("stopping", () => {
  it("stop() during a query rejects next() with WatcherStoppedError, aborts the query and leaves no timer", async () => {
    const relay = await startRelay(dns.server);
    onTestFinished(() => relay.close());
    relay.swallow = true;
    const s = setup({ servers: [relay.address], family: 4 });
    const watcher = s.discovery.watch("web.test:80");
    const first = watcher.next();
    await relay.received(1);
    await watcher.stop();
    await expect(first).rejects.toBeInstanceOf(WatcherStoppedError);
    expect(s.clock.pendingTimers()).toBe(0);
    await flushMicrotasks();
    expect(s.logger.warns()).toEqual([]);
  });

  it("close() stops every watcher, and later watches are stopped from the start", async () => {
    await dns.setRecords({ hosts: { "web.test": ["10.0.0.1"] } });
    const s = setup({ family: 4 });
    const watcher = s.discovery.watch("web.test:80");
    await watcher.next();
    const pending = watcher.next();
    await s.discovery.close();
    await expect(pending).rejects.toThrow(
      /^dns: the watcher of "web.test:80" no longer yields because the discovery was closed; call watch\(\) again/,
    );
    expect(s.clock.pendingTimers()).toBe(0);
    await expect(s.discovery.watch("web.test:80").next()).rejects.toBeInstanceOf(WatcherStoppedError);
  });

  it("aborting the watch signal stops the watcher", async () => {
    await dns.setRecords({ hosts: { "web.test": ["10.0.0.1"] } });
    const s = setup({ family: 4 });
    const controller = new AbortController();
    const watcher = s.discovery.watch("web.test:80", { signal: controller.signal });
    await watcher.next();
    controller.abort(new Error("shutting down"));
    const error = await watcher.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WatcherStoppedError);
    expect((error as Error).cause).toEqual(new Error("shutting down"));
    expect(s.clock.pendingTimers()).toBe(0);
  });
});
