import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { DoneInfo } from "@switchyard/api";
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

it("reports a refused connection as an error with nothing sent", async () => {
  server = createServer(() => {});
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server!.close(resolve));
  server = undefined;
  const outcomes: DoneInfo[] = [];
  const client = await createClient({
    endpoint: `http://127.0.0.1:${port}`,
    selector: recordingSelector(outcomes),
  });
  await expect(client.request("/")).rejects.toThrow();
  await client.destroy();
  expect(outcomes).toHaveLength(1);
  expect(outcomes[0]).toMatchObject({ bytesSent: false, httpStatus: undefined });
  expect((outcomes[0]!.error as { code?: string }).code).toBe("ECONNREFUSED");
});
