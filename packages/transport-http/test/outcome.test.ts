import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { DoneInfo } from "@switchyard/api";
import { wrr } from "@switchyard/balancer-wrr";
import { isNodeFailure } from "@switchyard/selector-core";
import { fetch } from "undici";
import { afterEach, expect, it } from "vitest";
import { createClient } from "../src/client.js";
import { recordingSelector } from "./selectors.js";

let server: Server | undefined;

afterEach(async () => {
  const open = server;
  server = undefined;
  if (open === undefined) return;
  open.closeAllConnections();
  await new Promise((resolve) => open.close(resolve));
});

it("reports the final status of a reply that starts with 103 Early Hints, not the hint", async () => {
  server = createServer((_req, res) => {
    res.writeEarlyHints({ link: "</style.css>; rel=preload; as=style" });
    setTimeout(() => {
      res.statusCode = 503;
      res.end("busy");
    }, 20);
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const outcomes: DoneInfo[] = [];
  const client = await createClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    selector: recordingSelector(outcomes),
  });
  const reply = await client.request("/");
  expect(reply.status).toBe(503);
  await reply.body.dump();
  await client.destroy();
  expect(outcomes.map((o) => o.httpStatus)).toEqual([503]);
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<number> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** Sends one request that must fail to 127.0.0.1:`port`; returns the one outcome done got. */
async function failedRequest(port: number): Promise<DoneInfo> {
  const outcomes: DoneInfo[] = [];
  const client = await createClient({
    endpoint: `http://127.0.0.1:${port}`,
    selector: recordingSelector(outcomes),
  });
  await expect(client.request("/")).rejects.toThrow();
  await client.destroy();
  expect(outcomes).toHaveLength(1);
  return outcomes[0]!;
}

it("reports a refused connection as an error with nothing sent", async () => {
  const port = await listen(() => {});
  await new Promise((resolve) => server!.close(resolve));
  server = undefined;
  const outcome = await failedRequest(port);
  expect(outcome).toMatchObject({ bytesSent: false, httpStatus: undefined });
  expect((outcome.error as { code?: string }).code).toBe("ECONNREFUSED");
  expect(isNodeFailure(outcome)).toBe(true);
});

/** wrr, recording at done time what a health layer reads of each outcome. */
function pushbackSelector(seen: { status?: number; retryAfter?: string; failure: boolean }[]) {
  return {
    build() {
      const inner = wrr().build();
      return {
        apply: (nodes: Parameters<typeof inner.apply>[0]) => inner.apply(nodes),
        select(options?: Parameters<typeof inner.select>[0]) {
          const picked = inner.select(options);
          return {
            node: picked.node,
            done: (info?: DoneInfo) => {
              seen.push({
                status: info?.httpStatus,
                retryAfter: info?.replyMetadata?.get("retry-after"),
                failure: isNodeFailure(info),
              });
              picked.done(info);
            },
          };
        },
      };
    },
  };
}

it("hands done the Retry-After of a 503 and of a 429 reply, through request, fetch and a controller-shaped handler", async () => {
  const replies = [
    { status: 503, retryAfter: "7" },
    { status: 429, retryAfter: "Wed, 21 Oct 2015 07:28:00 GMT" },
    { status: 503, retryAfter: undefined },
  ];
  let next = 0;
  const port = await listen((_req, res) => {
    const reply = replies[next++ % replies.length]!;
    res.statusCode = reply.status;
    if (reply.retryAfter !== undefined) res.setHeader("Retry-After", reply.retryAfter);
    res.end("busy");
  });
  const seen: { status?: number; retryAfter?: string; failure: boolean }[] = [];
  const client = await createClient({
    endpoint: `http://127.0.0.1:${port}`,
    selector: pushbackSelector(seen),
  });
  for (let i = 0; i < 3; i++) await (await client.request("/")).body.dump();
  for (let i = 0; i < 3; i++)
    await (await fetch("http://helloworld/", { dispatcher: client.dispatcher })).text();
  for (let i = 0; i < 3; i++) {
    await new Promise<void>((resolve, reject) => {
      client.dispatcher.dispatch(
        { origin: "http://helloworld", path: "/", method: "GET" },
        {
          onRequestStart() {},
          onResponseStart() {},
          onResponseData() {},
          onResponseEnd: () => resolve(),
          onResponseError: (_controller, error) => reject(error),
        },
      );
    });
  }
  await client.destroy();
  const expected = replies.map((r) => ({ status: r.status, retryAfter: r.retryAfter }));
  expect(seen.map(({ status, retryAfter }) => ({ status, retryAfter }))).toEqual([
    ...expected,
    ...expected,
    ...expected,
  ]);
  // A 503 is a node failure for every balancer; a 429 is the health layer's call (with its pushback).
  expect(seen.filter((s) => s.status === 503).every((s) => s.failure)).toBe(true);
});

it("reports a server that drops every connection at once as a connection-level failure", async () => {
  const port = await listen(() => {});
  server!.on("connection", (socket) => socket.destroy());
  const outcome = await failedRequest(port);
  expect(outcome).toMatchObject({ httpStatus: undefined, bytesReceived: false });
  expect((outcome.error as { code?: string }).code).toBe("UND_ERR_SOCKET");
  expect(isNodeFailure(outcome)).toBe(true);
});
