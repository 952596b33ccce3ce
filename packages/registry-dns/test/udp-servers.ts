// Small DNS servers of the tests' own, on loopback: one that answers from a script (to send what
// real servers rarely do), and a relay in front of dnsmasq that can stop answering (a server that
// swallows queries: no reply, no error, as a dead host behind a firewall).
import { createSocket, type RemoteInfo } from "node:dgram";
import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { readQuery } from "./wire.js";

export interface ReceivedQuery {
  readonly id: number;
  readonly name: string;
  readonly qtype: number;
  readonly transport: "udp" | "tcp";
}

export interface TestDnsServer {
  /** `127.0.0.1:<port>`, for the servers option. */
  readonly address: string;
  readonly port: number;
  readonly queries: ReceivedQuery[];
  /** Resolves when the server has received `count` queries in all. */
  received(count: number): Promise<void>;
  close(): Promise<void>;
}

/** What a scripted server sends back: one or more datagrams, or nothing. */
export type Script = (query: ReceivedQuery) => Buffer | readonly Buffer[] | undefined;

interface Tracker {
  readonly queries: ReceivedQuery[];
  received(count: number): Promise<void>;
  add(query: ReceivedQuery): void;
}

function tracker(): Tracker {
  const queries: ReceivedQuery[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  return {
    queries,
    received(count) {
      if (queries.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    add(query) {
      queries.push(query);
      for (const waiter of waiters.filter((w) => queries.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    },
  };
}

/** Serves TCP on `port` with length-prefixed messages, answering each with `script`. */
function serveTcp(port: number, script: Script, track: Tracker): Promise<Server> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    let buffer = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 2 && buffer.length >= 2 + buffer.readUInt16BE(0)) {
        const message = buffer.subarray(2, 2 + buffer.readUInt16BE(0));
        buffer = buffer.subarray(2 + message.length);
        const query = { ...readQuery(message), transport: "tcp" as const };
        track.add(query);
        const reply = script(query);
        for (const datagram of reply === undefined ? [] : Array.isArray(reply) ? reply : [reply]) {
          const length = Buffer.alloc(2);
          length.writeUInt16BE(datagram.length);
          socket.write(Buffer.concat([length, datagram]));
        }
      }
    });
  });
  server.on("close", () => {
    for (const socket of sockets) socket.destroy();
  });
  server.listen(port, "127.0.0.1");
  return once(server, "listening").then(() => server);
}

/**
 * A UDP (and TCP, same port) DNS server that answers every query with `script`. A TCP port taken
 * by someone else is retried on another pair.
 */
export async function startScriptedServer(script: Script): Promise<TestDnsServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await scriptedServer(script);
    } catch (error) {
      if (attempt >= 5 || (error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    }
  }
}

async function scriptedServer(script: Script): Promise<TestDnsServer> {
  const track = tracker();
  const udp = createSocket("udp4");
  udp.on("message", (message: Buffer, from: RemoteInfo) => {
    const query = { ...readQuery(message), transport: "udp" as const };
    track.add(query);
    const reply = script(query);
    for (const datagram of reply === undefined ? [] : Array.isArray(reply) ? reply : [reply]) {
      udp.send(datagram as Buffer, from.port, from.address);
    }
  });
  udp.bind(0, "127.0.0.1");
  await once(udp, "listening");
  const port = udp.address().port;
  const tcp = await serveTcp(port, script, track).catch((error: unknown) => {
    udp.close();
    throw error;
  });
  return {
    address: `127.0.0.1:${port}`,
    port,
    queries: track.queries,
    received: track.received,
    async close() {
      udp.close();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}

export interface Relay extends TestDnsServer {
  /** While true, queries are received and dropped: no reply, no error. */
  swallow: boolean;
}

/** A UDP relay to `upstream` (`127.0.0.1:<port>`) that can swallow queries instead. */
export async function startRelay(upstream: string): Promise<Relay> {
  const [host, port] = [
    upstream.slice(0, upstream.lastIndexOf(":")),
    Number(upstream.slice(upstream.lastIndexOf(":") + 1)),
  ];
  const track = tracker();
  const socket = createSocket("udp4");
  const relay: Relay = {
    address: "",
    port: 0,
    queries: track.queries,
    received: track.received,
    swallow: false,
    async close() {
      socket.close();
    },
  };
  socket.on("message", (message: Buffer, from: RemoteInfo) => {
    track.add({ ...readQuery(message), transport: "udp" });
    if (relay.swallow) return;
    const out = createSocket("udp4");
    out.on("message", (reply: Buffer) => {
      socket.send(reply, from.port, from.address);
      out.close();
    });
    out.send(message, port, host);
  });
  socket.bind(0, "127.0.0.1");
  await once(socket, "listening");
  const bound = socket.address().port;
  return Object.assign(relay, { address: `127.0.0.1:${bound}`, port: bound });
}
