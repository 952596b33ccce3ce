import { RegistryError, type ServiceInstance } from "@switchyard/api";
import { describe, expect, it, vi } from "vitest";
import { createEtcdRegistry, type EtcdRegistry, type EtcdRegistryOptions } from "../src/index.js";
import { useEtcd } from "./etcd-server.js";
import { hasIds, ids, instance, recordingLogger, uniqueNamespace, until, within } from "./helpers.js";
import { startProxy, type TcpProxy } from "./tcp-proxy.js";

type List = readonly ServiceInstance[];

const WAIT_MS = 10_000;
const FAST_RETRY = { initialMs: 50, maxMs: 300 };

const { etcd, cleanups } = useEtcd();

function registry(options: EtcdRegistryOptions = {}): EtcdRegistry {
  const created = createEtcdRegistry({ endpoints: etcd.endpoint, backoff: FAST_RETRY, ...options });
  cleanups.push(() => created.close());
  return created;
}

async function proxy(): Promise<TcpProxy> {
  const started = await startProxy(etcd.port);
  cleanups.push(() => started.close());
  return started;
}

/** Never two equal lists in a row: each yield is a real change. */
function expectNoRepeats(seen: readonly List[]): void {
  for (let i = 1; i < seen.length; i++) expect(ids(seen[i]!)).not.toEqual(ids(seen[i - 1]!));
}

describe("etcd watch: resuming and re-reading", { timeout: 30_000 }, () => {
  it("keeps the last list through an etcd restart, then resumes from its revision without repeats", async () => {
    const namespace = uniqueNamespace();
    const logger = recordingLogger();
    const writer = registry({ namespace, leaseTtlMs: 10_000 });
    const reader = registry({ namespace, logger });
    await writer.register(instance("api", 1));
    const watcher = reader.watch("api");
    await until(watcher, hasIds("api-1"), WAIT_MS, "the first list");
    const pending = watcher.next();
    let settled = false;
    pending.then(
      () => (settled = true),
      () => {},
    );

    await etcd.kill();
    const during = await reader.getService("api").catch((error: unknown) => error);
    expect(during).toBeInstanceOf(RegistryError);
    expect((during as RegistryError).retryable).toBe(true);
    await logger.waitFor(/etcd: watching "api" \(to resume after revision \d+\) failed/, WAIT_MS);
    expect(settled).toBe(false); // no empty list, no repeat of the last one
    await etcd.start();
    await logger.waitFor(/the watch of "api" resumed after revision \d+/, WAIT_MS);

    await writer.register(instance("api", 2));
    const context = () => `\nlog:\n${logger.lines.join("\n")}`;
    const after = { context, pending }; // the next() pending through the restart gives the change
    const { seen } = await until(
      watcher,
      hasIds("api-1", "api-2"),
      WAIT_MS,
      "the list after the restart",
      after,
    );
    expect(seen.every((list) => list.length > 0)).toBe(true);
    expectNoRepeats([[instance("api", 1)], ...seen]);
    expect(logger.lines.some((line) => /reads everything again/.test(line))).toBe(false);
  });

  it("brings the changes made while its connection was cut, by resuming from its revision", async () => {
    const namespace = uniqueNamespace();
    const logger = recordingLogger();
    const cable = await proxy();
    const writer = registry({ namespace });
    const reader = registry({ namespace, logger, endpoints: cable.endpoint });
    await writer.register(instance("api", 1));
    await writer.register(instance("api", 2));
    const watcher = reader.watch("api");
    await until(watcher, hasIds("api-1", "api-2"), WAIT_MS, "the first list");

    cable.cut();
    await logger.waitFor(/etcd: watching "api" .* failed/, WAIT_MS);
    await writer.deregister(instance("api", 1));
    await writer.register(instance("api", 3));
    await writer.register(instance("api", 2, { version: "2.0.0" }));
    cable.restore();

    const updated = (list: List) => hasIds("api-2", "api-3")(list) && list.some((i) => i.version === "2.0.0");
    const { seen } = await until(watcher, updated, WAIT_MS, "the list after the cut, with api-2 at 2.0.0");
    expect(seen.every((list) => list.length > 0)).toBe(true);
    await logger.waitFor(/the watch of "api" resumed after revision/, WAIT_MS);
    expect(logger.lines.some((line) => /reads everything again/.test(line))).toBe(false);
  });

  it("reads everything again when etcd compacted the revision it would resume from", async () => {
    const namespace = uniqueNamespace();
    const logger = recordingLogger();
    const cable = await proxy();
    const writer = registry({ namespace });
    const reader = registry({ namespace, logger, endpoints: cable.endpoint });
    await writer.register(instance("api", 1));
    await writer.register(instance("api", 2));
    const watcher = reader.watch("api");
    await until(watcher, hasIds("api-1", "api-2"), WAIT_MS, "the first list");

    cable.cut();
    await logger.waitFor(/etcd: watching "api" .* failed/, WAIT_MS);
    await writer.deregister(instance("api", 2));
    await writer.register(instance("api", 3));
    await etcd.admin.put(`${namespace}/other/x`).value("unrelated"); // moves the revision past ours
    await etcd.compact(await etcd.revision());
    cable.restore();

    await logger.waitFor(/the watch of "api" reads everything again: etcd compacted its history/, WAIT_MS);
    const { seen } = await until(watcher, hasIds("api-1", "api-3"), WAIT_MS, "the list after compaction");
    expect(seen.every((list) => list.length > 0)).toBe(true);
    expectNoRepeats([[instance("api", 1), instance("api", 2)], ...seen]);
  });

  it("reads everything again when etcd comes back without its data, at an older revision", async () => {
    const namespace = uniqueNamespace();
    const logger = recordingLogger();
    const reader = registry({ namespace, logger });
    const kratos = (n: number) => JSON.stringify(instance("api", n));
    for (let i = 0; i < 5; i++) await etcd.admin.put(`${namespace}/filler`).value(String(i)); // revision ≥ 6
    await etcd.admin.put(`${namespace}/api/api-1`).value(kratos(1));
    const watcher = reader.watch("api");
    await until(watcher, hasIds("api-1"), WAIT_MS, "the first list");

    await etcd.kill();
    await etcd.wipe();
    await etcd.start();
    await etcd.admin.put(`${namespace}/api/api-2`).value(kratos(2)); // revision 2 of the new store
    await until(watcher, hasIds("api-2"), WAIT_MS, "the list of the new store");
    await logger.waitFor(/reads everything again: etcd is at revision \d+, older than revision \d+/, WAIT_MS);
  });

  it("gives its first list once etcd answers, when it starts while etcd is unreachable", async () => {
    const namespace = uniqueNamespace();
    const logger = recordingLogger();
    const cable = await proxy();
    cable.cut();
    const reader = registry({ namespace, logger, endpoints: cable.endpoint });
    await registry({ namespace }).register(instance("api", 1));
    const first = reader.watch("api").next();
    await logger.waitFor(/etcd: reading "api" failed/, WAIT_MS);
    cable.restore();
    expect(ids(await within(first, WAIT_MS, "the first list"))).toEqual(["api-1"]);
  });
});

describe("etcd watch: data under the prefix", { timeout: 30_000 }, () => {
  it("skips entries that are not JSON or miss fields, with a logged reason, and lists the rest", async () => {
    const namespace = uniqueNamespace();
    const logger = recordingLogger();
    const reader = registry({ namespace, logger });
    await registry({ namespace }).register(instance("api", 1));
    await etcd.admin.put(`${namespace}/api/garbage`).value("not json {");
    const watcher = reader.watch("api");
    await until(watcher, hasIds("api-1"), WAIT_MS, "the first list");
    await logger.waitFor(/skipped the entry ".*\/api\/garbage" of "api": its value is not JSON/, WAIT_MS);

    const { endpoints: _, ...noEndpoints } = instance("api", 2);
    await etcd.admin.put(`${namespace}/api/api-2`).value(JSON.stringify(noEndpoints));
    await logger.waitFor(
      /skipped the entry ".*\/api\/api-2" of "api": the value\.endpoints must be/,
      WAIT_MS,
    );
    await etcd.admin.put(`${namespace}/api/api-2`).value(JSON.stringify(instance("api", 2)));
    await until(watcher, hasIds("api-1", "api-2"), WAIT_MS, "the list once the entry is fixed");

    expect(ids(await reader.getService("api"))).toEqual(["api-1", "api-2"]);
    expect(
      logger.lines.some((line) =>
        /getService skipped the entry ".*garbage": its value is not JSON/.test(line),
      ),
    ).toBe(true);
  });
});

describe("etcd watch: a logger that throws", { timeout: 30_000 }, () => {
  it("delivers the list all the same, and sends the report it threw on to process.emitWarning", async () => {
    const emitted = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    cleanups.push(() => emitted.mockRestore());
    const namespace = uniqueNamespace();
    let throws = 1;
    const logger = {
      warn(message: string) {
        if (/skipped the entry/.test(message) && throws-- > 0) throw new Error("logger down");
      },
    };
    await registry({ namespace }).register(instance("api", 1));
    await etcd.admin.put(`${namespace}/api/garbage`).value("not json {");
    const watcher = registry({ namespace, logger }).watch("api");
    await until(watcher, hasIds("api-1"), WAIT_MS, "the list after the logger threw once");
    expect(throws).toBeLessThan(1);
    expect(emitted.mock.calls.map(([message]) => String(message))).toEqual([
      expect.stringMatching(/skipped the entry .*garbage.*logger down/),
    ]);
  });

  it("stops no watch: its reports go to process.emitWarning and later changes still arrive", async () => {
    const emitted = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    cleanups.push(() => emitted.mockRestore());
    const namespace = uniqueNamespace();
    const broken = {
      warn() {
        throw new Error("log sink is full");
      },
    };
    await etcd.admin.put(`${namespace}/api/early`).value("not json"); // skipped on the first read
    const reader = registry({ namespace, logger: broken });
    const writer = registry({ namespace });
    const watcher = reader.watch("api");
    await until(watcher, (list) => list.length === 0, WAIT_MS, "the first list, without the bad entry");
    await etcd.admin.put(`${namespace}/api/late`).value("not json either"); // skipped while watching
    await writer.register(instance("api", 1));
    await until(watcher, hasIds("api-1"), WAIT_MS, "the instance registered after the bad entries");
    const warnings = emitted.mock.calls.map(([message]) => String(message));
    expect(warnings.filter((m) => /skipped the entry .*log sink is full/.test(m))).toHaveLength(2);
  });
});

describe("etcd watch: at scale", { timeout: 60_000 }, () => {
  it("follows 1,000 registered instances, giving a slow consumer the latest list rather than every step", async () => {
    const namespace = uniqueNamespace();
    const writer = registry({ namespace, leaseTtlMs: 30_000 });
    const reader = registry({ namespace });
    const watcher = reader.watch("fleet");
    expect(await within(watcher.next(), WAIT_MS, "the first list")).toEqual([]);

    const all = Array.from({ length: 1000 }, (_, n) => instance("fleet", n));
    for (let i = 0; i < all.length; i += 100)
      await Promise.all(all.slice(i, i + 100).map((x) => writer.register(x)));
    const { list, seen } = await until(watcher, (l) => l.length === 1000, 20_000, "1,000 instances");
    expect(new Set(list.map((i) => i.id)).size).toBe(1000);
    expect(seen.length).toBeLessThan(20);
    expect((await reader.getService("fleet")).length).toBe(1000);

    await writer.close(); // revokes every lease
    const gone = await until(watcher, (l) => l.length === 0, 20_000, "the empty list after close");
    expect(gone.seen.length).toBeLessThan(20);
  });
});
