import type { IncomingMessage, ServerResponse } from "node:http";
import { createMemoryRegistry, type MemoryRegistry } from "@switchyard/registry-memory";
import { request } from "undici";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createClient, type HttpClient } from "../src/client.js";
import { instanceOf as instance, startServers, type TestServer } from "./servers.js";

let servers: TestServer[] = [];
let registry: MemoryRegistry;
const clients: HttpClient[] = [];

async function client(options: Partial<Parameters<typeof createClient>[0]> = {}): Promise<HttpClient> {
  const c = await createClient({
    endpoint: "discovery:///helloworld",
    discovery: registry,
    block: { timeoutMs: 5000 },
    logger: { warn: () => {} },
    ...options,
  });
  clients.push(c);
  return c;
}

const unavailable = (_req: IncomingMessage, res: ServerResponse) => {
  res.statusCode = 503;
  res.end("overloaded");
};

/** Answers 200 with the request's method and body. */
const echo = (req: IncomingMessage, res: ServerResponse) => {
  let body = "";
  req.on("data", (chunk: Buffer) => (body += chunk.toString()));
  req.on("end", () => res.end(`${req.method} ${body}`));
};

beforeEach(async () => {
  servers = await startServers(3);
  registry = createMemoryRegistry();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await registry.close();
  await Promise.all(servers.map((s) => s.close()));
});

describe("transport-http retries", () => {
  it("retries a 503 on a node not tried yet, with the same body, and returns that node's reply", async () => {
    for (const s of servers) await registry.register(instance(s));
    servers[0]!.handle(unavailable);
    servers[1]!.handle(echo);
    servers[2]!.handle(echo);
    const c = await client({ retry: { attempts: 2, budget: { ratio: 0, maxTokens: 100 } } });
    const replies = [];
    for (let i = 0; i < 9; i++) {
      const reply = await c.request("/x", { method: "PUT", body: "payload" });
      replies.push({ status: reply.status, address: reply.address, text: await reply.body.text() });
    }
    expect(replies.every((r) => r.status === 200 && r.text === "PUT payload")).toBe(true);
    expect(replies.map((r) => r.address)).not.toContain(servers[0]!.address);
    expect(servers[0]!.hits).toBeGreaterThan(0);
    expect(servers[0]!.hits + servers[1]!.hits + servers[2]!.hits).toBe(9 + servers[0]!.hits);
  });

  it("hands the caller the 503 once the attempts or the budget are spent", async () => {
    await registry.register(instance(servers[0]!));
    servers[0]!.handle(unavailable);
    const c = await client({ retry: { attempts: 2, budget: { ratio: 0, maxTokens: 1 } } });
    const first = await c.request("/x");
    expect([first.status, await first.body.text()]).toEqual([503, "overloaded"]);
    expect(servers[0]!.hits).toBe(2); // the only node, tried again
    const second = await c.request("/x");
    expect(second.status).toBe(503);
    await second.body.dump();
    expect(servers[0]!.hits).toBe(3); // no token left
  });

  it("does not retry a request its caller aborted", async () => {
    await registry.register(instance(servers[0]!));
    await registry.register(instance(servers[1]!));
    for (const s of servers) s.handle(() => {}); // never answers
    const c = await client({ retry: { attempts: 3, budget: { ratio: 0, maxTokens: 100 } } });
    const aborter = new AbortController();
    const pending = c.request("/x", { signal: aborter.signal });
    await vi.waitFor(() => expect(servers[0]!.hits + servers[1]!.hits).toBe(1));
    aborter.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    await new Promise((resolve) => setImmediate(resolve));
    expect(servers[0]!.hits + servers[1]!.hits).toBe(1);
  });

  it("rejects a request whose signal is already aborted, without sending it", async () => {
    await registry.register(instance(servers[0]!));
    const c = await client({ retry: true });
    await expect(c.request("/x", { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: "AbortError",
    });
    expect(servers[0]!.hits).toBe(0);
  });
});

describe("transport-http connections", () => {
  it("closes the connections to a node that left the list, once its requests are done", async () => {
    await registry.register(instance(servers[0]!));
    const c = await client();
    await (await c.request("/x")).body.dump();
    const open = () =>
      new Promise<number>((resolve) => servers[0]!.server.getConnections((_, n) => resolve(n)));
    expect(await open()).toBe(1); // kept alive
    await registry.register(instance(servers[1]!));
    await registry.deregister(instance(servers[0]!));
    await vi.waitFor(async () => expect(await open()).toBe(0));
    const reply = await c.request("/x");
    expect(reply.address).toBe(servers[1]!.address);
    await reply.body.dump();
  });

  it("refuses requests through the dispatcher once the client is closed", async () => {
    await registry.register(instance(servers[0]!));
    const c = await client();
    await c.close();
    await expect(request("http://helloworld/x", { dispatcher: c.dispatcher })).rejects.toMatchObject({
      code: "CLIENT_CLOSED",
    });
    await expect(c.request("/x")).rejects.toMatchObject({ code: "CLIENT_CLOSED" });
    expect(servers[0]!.hits).toBe(0);
  });
});
