import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { DoneInfo } from "@switchyard/api";
import { p2c } from "@switchyard/balancer-p2c";
import { createMemoryRegistry, type MemoryRegistry } from "@switchyard/registry-memory";
import { isNodeFailure } from "@switchyard/selector-core";
import { createFakeClock, seededRandom } from "@switchyard/testkit";
import { fetch } from "undici";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createClient, type HttpClient } from "../src/client.js";
import { recordingSelector } from "./selectors.js";
import { instanceOf, startServers, type TestServer } from "./servers.js";

// When the outcome of a request reaches the balancer: at the end of its reply, so that a
// connection that fails while the body streams counts against its node.

let server: Server | undefined;
let client: HttpClient | undefined;
const closers: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  await client?.destroy();
  client = undefined;
  for (const close of closers.splice(0)) await close();
  const open = server;
  server = undefined;
  if (open === undefined) return;
  open.closeAllConnections();
  await new Promise((resolve) => open.close(resolve));
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Headers promising 100 kB, 1 kB of body, then the connection reset. */
function resetMidBody(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { "content-length": "100000" });
  res.write("x".repeat(1000), () => res.destroy());
}

async function recordingClient(endpoint: string): Promise<{ c: HttpClient; outcomes: DoneInfo[] }> {
  const outcomes: DoneInfo[] = [];
  client = await createClient({ endpoint, selector: recordingSelector(outcomes) });
  return { c: client, outcomes };
}

/** Reads a reply through a handler in undici 7's controller shape; resolves with its error, if any. */
function viaController(c: HttpClient): Promise<unknown> {
  return new Promise((resolve) => {
    c.dispatcher.dispatch(
      { origin: "http://helloworld", path: "/", method: "GET" },
      {
        onRequestStart() {},
        onResponseStart() {},
        onResponseData() {},
        onResponseEnd: () => resolve(undefined),
        onResponseError: (_controller, error) => resolve(error),
      },
    );
  });
}

describe("transport-http reports a reply's outcome when the reply ends", () => {
  it("reports a connection reset in the middle of the body as a failure of the node", async () => {
    const { c, outcomes } = await recordingClient(await serve(resetMidBody));
    const reply = await c.request("/");
    expect(reply.status).toBe(200);
    await expect(reply.body.text()).rejects.toMatchObject({ code: "UND_ERR_SOCKET" });
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ httpStatus: 200, bytesSent: true, bytesReceived: true });
    expect((outcomes[0]!.error as { code?: string }).code).toBe("UND_ERR_SOCKET");
    expect(isNodeFailure(outcomes[0])).toBe(true);
  });

  it("reports a reset mid-body through fetch and through a controller-shaped handler too", async () => {
    const { c, outcomes } = await recordingClient(await serve(resetMidBody));
    const res = await fetch("http://helloworld/", { dispatcher: c.dispatcher });
    await expect(res.arrayBuffer()).rejects.toThrow();
    expect(await viaController(c)).toMatchObject({ code: "UND_ERR_SOCKET" });
    expect(outcomes.map((o) => [o.httpStatus, (o.error as { code?: string } | undefined)?.code])).toEqual([
      [200, "UND_ERR_SOCKET"],
      [200, "UND_ERR_SOCKET"],
    ]);
  });

  it("reports a body that streams once it ends, not at its headers", async () => {
    let finish: () => void = () => {};
    const { c, outcomes } = await recordingClient(
      await serve((_req, res) => {
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("first ");
        finish = () => res.end("last");
      }),
    );
    const reply = await c.request("/");
    const chunks: string[] = [];
    reply.body.on("data", (chunk: Buffer) => chunks.push(chunk.toString()));
    await vi.waitFor(() => expect(chunks).toEqual(["first "]));
    expect(outcomes).toHaveLength(0);
    finish();
    await new Promise((resolve) => reply.body.on("end", resolve));
    expect(chunks.join("")).toBe("first last");
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ httpStatus: 200, error: undefined });
  });

  it("does not count a body the caller gives up on against the node", async () => {
    const { c, outcomes } = await recordingClient(
      await serve((_req, res) => {
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("the start of a long stream");
      }),
    );
    const reply = await c.request("/");
    const first = await new Promise((resolve) => reply.body.once("data", resolve));
    expect(String(first)).toBe("the start of a long stream");
    reply.body.destroy();
    await vi.waitFor(() => expect(outcomes).toHaveLength(1));
    expect(outcomes[0]).toMatchObject({ httpStatus: 200, error: undefined, bytesReceived: true });
    expect(isNodeFailure(outcomes[0])).toBe(false);
  });

  it("reports a large reply the caller leaves unread once the caller stops taking it", async () => {
    const { c, outcomes } = await recordingClient(
      await serve((_req, res) => {
        res.writeHead(200, { "content-length": String(4 << 20) });
        res.end(Buffer.alloc(4 << 20));
      }),
    );
    const reply = await c.request("/");
    await vi.waitFor(() => expect(outcomes).toHaveLength(1));
    expect(outcomes[0]).toMatchObject({ httpStatus: 200, error: undefined });
    reply.body.destroy();
  });
});

describe("p2c over servers whose replies break mid-body", () => {
  let servers: TestServer[] = [];
  let registry: MemoryRegistry;

  beforeEach(async () => {
    servers = await startServers(2);
    registry = createMemoryRegistry();
    closers.push(
      () => registry.close(),
      () => Promise.all(servers.map((s) => s.close())),
    );
  });

  it("moves traffic off a server that resets its replies mid-body", async () => {
    servers[0]!.handle(resetMidBody);
    for (const s of servers) await registry.register(instanceOf(s));
    const clock = createFakeClock();
    client = await createClient({
      endpoint: "discovery:///helloworld",
      discovery: registry,
      block: { timeoutMs: 5000 },
      selector: p2c({ clock, random: seededRandom(4) }),
    });
    let broken = 0;
    for (let i = 0; i < 100; i++) {
      const reply = await client.request("/");
      try {
        await reply.body.text();
      } catch {
        broken++;
      }
      clock.advance(10);
    }
    // Each broken reply lowers the node's success average; seen as successes, they would keep half
    // the traffic on it.
    expect(broken).toBeLessThan(15);
  });
});
