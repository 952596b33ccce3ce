import type { DoneInfo, Logger, SelectorBuilder } from "@switchyard/api";
import { p2c } from "@switchyard/balancer-p2c";
import { WARNING_CODE } from "@switchyard/kit";
import { createMemoryRegistry, type MemoryRegistry } from "@switchyard/registry-memory";
import { fetch, request } from "undici";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createClient, type HttpClient } from "../src/client.js";
import { recordingSelector } from "./selectors.js";
import { startServers, type TestServer } from "./servers.js";

let servers: TestServer[] = [];
let registry: MemoryRegistry;
const clients: HttpClient[] = [];

/** wrr, except that every done callback it hands out throws after recording the outcome. */
function throwingDone(outcomes: DoneInfo[] = []): SelectorBuilder {
  return recordingSelector(outcomes, new Error("done exploded"));
}

interface Recorded {
  readonly logger: Logger;
  readonly warnings: { message: string; details: Readonly<Record<string, unknown>> | undefined }[];
}

function recordingLogger(): Recorded {
  const warnings: Recorded["warnings"] = [];
  return { warnings, logger: { warn: (message, details) => warnings.push({ message, details }) } };
}

async function client(options: Partial<Parameters<typeof createClient>[0]>): Promise<HttpClient> {
  const c = await createClient({
    endpoint: "discovery:///helloworld",
    discovery: registry,
    block: { timeoutMs: 5000 },
    ...options,
  });
  clients.push(c);
  return c;
}

/** What escaped to the process (uncaught exceptions, unhandled rejections) during the test. */
const escaped: unknown[] = [];
const onEscape = (error: unknown) => escaped.push(error);

beforeEach(async () => {
  escaped.length = 0;
  process.on("uncaughtException", onEscape);
  process.on("unhandledRejection", onEscape);
  servers = await startServers(1);
  registry = createMemoryRegistry();
  await registry.register({
    id: "s0",
    name: "helloworld",
    version: "1.0.0",
    metadata: {},
    endpoints: [`http://${servers[0]!.address}`],
  });
});

afterEach(async () => {
  process.off("uncaughtException", onEscape);
  process.off("unhandledRejection", onEscape);
  vi.restoreAllMocks();
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await registry.close();
  await Promise.all(servers.map((s) => s.close()));
  expect(escaped, "thrown to the process (uncaught or unhandled)").toEqual([]);
});

describe("transport-http isolates user callbacks", () => {
  it("delivers a 200 reply untouched when the selector's done throws, and reports the throw", async () => {
    const { logger, warnings } = recordingLogger();
    const outcomes: DoneInfo[] = [];
    const c = await client({ selector: throwingDone(outcomes), logger });
    const reply = await c.request("/hello");
    expect(reply.status).toBe(200);
    expect(reply.address).toBe(servers[0]!.address);
    expect(await reply.body.json()).toMatchObject({ server: "s0", path: "/hello" });
    expect(outcomes.map((o) => o.httpStatus)).toEqual([200]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/^transport-http: the selector's done callback threw/);
    expect(warnings[0]!.details).toMatchObject({
      service: "helloworld",
      address: servers[0]!.address,
      error: expect.objectContaining({ message: "done exploded" }),
    });
  });

  it("delivers replies through fetch and a raw request when the done throws", async () => {
    const c = await client({ selector: throwingDone(), logger: recordingLogger().logger });
    const viaFetch = await fetch("http://helloworld/hello", { dispatcher: c.dispatcher });
    expect(viaFetch.status).toBe(200);
    expect(await viaFetch.json()).toMatchObject({ server: "s0" });
    const viaRequest = await request("http://helloworld/raw", { dispatcher: c.dispatcher });
    expect(viaRequest.statusCode).toBe(200);
    expect(await viaRequest.body.json()).toMatchObject({ path: "/raw" });
  });

  it("delivers the reply to a handler in undici's controller shape when the done throws", async () => {
    const { logger, warnings } = recordingLogger();
    const c = await client({ selector: throwingDone(), logger });
    const seen = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      let status = 0;
      const chunks: Buffer[] = [];
      c.dispatcher.dispatch(
        { origin: "http://helloworld", path: "/controller", method: "GET" },
        {
          onRequestStart() {},
          onResponseStart(_controller, statusCode) {
            status = statusCode;
          },
          onResponseData(_controller, chunk) {
            chunks.push(chunk);
          },
          onResponseEnd() {
            resolve({ status, body: Buffer.concat(chunks).toString() });
          },
          onResponseError(_controller, error) {
            reject(error);
          },
        },
      );
    });
    expect(seen.status).toBe(200);
    expect(JSON.parse(seen.body)).toMatchObject({ server: "s0", path: "/controller" });
    expect(warnings).toHaveLength(1);
  });

  it("rejects with the request's own error, not the done's, when the done of a failed request throws", async () => {
    await servers[0]!.close();
    const outcomes: DoneInfo[] = [];
    const { logger, warnings } = recordingLogger();
    const c = await client({ selector: throwingDone(outcomes), logger });
    await expect(c.request("/hello")).rejects.toMatchObject({ code: "ECONNREFUSED" });
    expect(outcomes).toHaveLength(1);
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/^transport-http: the selector's done callback threw/),
    ]);
  });

  it("reports a throwing done at 1, 2, 4, 8… throws, not on every request", async () => {
    const { logger, warnings } = recordingLogger();
    const c = await client({ selector: throwingDone(), logger });
    for (let i = 0; i < 9; i++) await (await c.request("/hello")).body.dump();
    expect(warnings.map((w) => w.details?.count)).toEqual([1, 2, 4, 8]);
  });

  it("goes to process.emitWarning when the done throws and the logger throws too", async () => {
    const emitted = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const logger: Logger = {
      warn() {
        throw new Error("logger exploded");
      },
    };
    const c = await client({ selector: throwingDone(), logger });
    const reply = await c.request("/hello");
    expect(reply.status).toBe(200);
    await reply.body.dump();
    const ours = emitted.mock.calls.filter((call) => String(call[0]).startsWith("transport-http:"));
    expect(ours).toHaveLength(1);
    expect(String(ours[0]![0])).toMatch(/the logger threw while reporting this: logger exploded/);
    expect(ours[0]![1]).toMatchObject({ code: WARNING_CODE, detail: "done exploded" });
  });

  it("delivers a 200 reply when p2c's isFailure throws on a success (info.error is undefined)", async () => {
    const { logger } = recordingLogger();
    // A bug users write: `error` is only set when the request failed.
    const c = await client({
      selector: p2c({ isFailure: (info) => (info as { error: { code: number } }).error.code === 14 }),
      logger,
    });
    for (let i = 0; i < 3; i++) {
      const reply = await c.request("/hello");
      expect(reply.status).toBe(200);
      expect(await reply.body.json()).toMatchObject({ server: "s0" });
    }
  });

  it("sends the request on when a view's onPick throws, and reports the throw", async () => {
    const { logger, warnings } = recordingLogger();
    const outcomes: DoneInfo[] = [];
    const c = await client({ selector: recordingSelector(outcomes), logger });
    const view = c.dispatcher.with({
      onPick() {
        throw new Error("hook exploded");
      },
    });
    const reply = await request("http://helloworld/hook", { dispatcher: view });
    expect(reply.statusCode).toBe(200);
    expect(await reply.body.json()).toMatchObject({ server: "s0", path: "/hook" });
    expect(servers[0]!.hits).toBe(1);
    expect(outcomes.map((o) => o.httpStatus)).toEqual([200]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/^transport-http: onPick threw/);
    expect(warnings[0]!.details).toMatchObject({
      address: servers[0]!.address,
      error: expect.objectContaining({ message: "hook exploded" }),
    });
  });

  it("sends the request on when onPick and the logger both throw", async () => {
    const emitted = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const logger: Logger = {
      warn() {
        throw new Error("logger exploded");
      },
    };
    const c = await client({ logger });
    const view = c.dispatcher.with({
      onPick() {
        throw new Error("hook exploded");
      },
    });
    const reply = await fetch("http://helloworld/hook", { dispatcher: view });
    expect(reply.status).toBe(200);
    await reply.arrayBuffer();
    const ours = emitted.mock.calls.filter((call) => String(call[0]).startsWith("transport-http:"));
    expect(ours).toHaveLength(1);
    expect(ours[0]![1]).toMatchObject({ code: WARNING_CODE, detail: "hook exploded" });
  });
});
