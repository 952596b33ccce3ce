import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ServiceInstance } from "@switchyard/api";

/** A real HTTP server on loopback that counts the requests it served. */
export interface TestServer {
  readonly server: Server;
  readonly address: string;
  readonly port: number;
  hits: number;
  /** Replaces the request handler. */
  handle(handler: (req: IncomingMessage, res: ServerResponse) => void): void;
  close(): Promise<void>;
}

const hello = (name: string) => (req: IncomingMessage, res: ServerResponse) => {
  res.setHeader("content-type", "application/json");
  res.setHeader("x-served-by", name);
  res.end(JSON.stringify({ server: name, path: req.url, host: req.headers.host }));
};

/** Starts `count` servers on 127.0.0.1:0. */
export async function startServers(count: number): Promise<TestServer[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const name = `s${i}`;
      let handler = hello(name);
      const state = { hits: 0 };
      const server = createServer((req, res) => {
        state.hits++;
        handler(req, res);
      });
      server.keepAliveTimeout = 60_000;
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const port = (server.address() as AddressInfo).port;
      return {
        server,
        port,
        address: `127.0.0.1:${port}`,
        get hits() {
          return state.hits;
        },
        set hits(v: number) {
          state.hits = v;
        },
        handle(next: (req: IncomingMessage, res: ServerResponse) => void) {
          handler = next;
        },
        close: () =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      };
    }),
  );
}

/** Counts how many times each value occurs. */
export function tally(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

/** The registry entry of `server` as an instance of "helloworld". */
export function instanceOf(server: TestServer, extra: Partial<ServiceInstance> = {}): ServiceInstance {
  return {
    id: server.address,
    name: "helloworld",
    version: "1.0.0",
    metadata: {},
    endpoints: [`http://${server.address}`],
    ...extra,
  };
}
