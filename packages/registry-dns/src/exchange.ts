import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { connect, type Socket as TcpSocket } from "node:net";
import type { Clock, TimerHandle } from "@switchyard/api";
import { decodeReply } from "./decode.js";
import { type DnsReply, MalformedReplyError } from "./message.js";

/** A DNS server to ask: an IP address and a port. */
export interface DnsServer {
  readonly host: string;
  readonly port: number;
  readonly family: 4 | 6;
  /** `10.96.0.10:53`, `[fd00::a]:53`: how messages name it. */
  readonly label: string;
}

/** The server did not answer within the timeout. */
export class QueryTimeoutError extends Error {
  constructor(server: DnsServer, ms: number, transport: string) {
    super(`${server.label} did not answer over ${transport} within ${ms} ms`);
    this.name = "QueryTimeoutError";
  }
}

/** One query to one server: what to send and how to recognise its reply. */
export interface Exchange {
  readonly server: DnsServer;
  readonly message: Buffer;
  readonly id: number;
  readonly name: string;
  readonly type: number;
  readonly timeoutMs: number;
  readonly clock: Clock;
  readonly signal: AbortSignal | undefined;
}

/**
 * Sends a query over UDP from a fresh socket (a new random source port each time) connected to the
 * server, so only the server's datagrams arrive; datagrams that are not the reply to this question
 * (another id, another name) are ignored, as RFC 5452 advises. A truncated reply is asked again over
 * TCP. The sockets are unref'd: a query alone never keeps the process alive.
 * @throws QueryTimeoutError, MalformedReplyError, a socket error, or the signal's reason.
 */
export async function exchange(query: Exchange): Promise<DnsReply> {
  const reply = await overUdp(query);
  return reply.truncated ? overTcp(query) : reply;
}

/** Settles once: the cleanup runs before the outcome is passed on. */
function settleOnce<T>(
  query: Exchange,
  transport: string,
  start: (finish: (error: unknown, value?: T) => void) => () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const { signal, clock } = query;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let timer: TimerHandle | undefined;
    let close = (): void => {};
    let settled = false;
    const onAbort = (): void => finish(signal?.reason);
    const finish = (error: unknown, value?: T): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      close();
      if (error === undefined) resolve(value as T);
      else reject(error);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    timer = clock.setTimeout(
      () => finish(new QueryTimeoutError(query.server, query.timeoutMs, transport)),
      query.timeoutMs,
    );
    close = start(finish);
    if (settled) close();
  });
}

/** The reply, if `message` is the answer to `query`; undefined for a stray datagram. */
function replyTo(query: Exchange, message: Buffer): DnsReply | undefined {
  if (message.length < 2 || message.readUInt16BE(0) !== query.id) return undefined;
  const reply = decodeReply(message);
  // A server that cannot parse the question may leave it out of a FORMERR/NOTIMP reply.
  if (reply.questionName === undefined && reply.rcode !== 0) return reply;
  if (reply.questionName !== query.name || reply.questionType !== query.type) return undefined;
  return reply;
}

function overUdp(query: Exchange): Promise<DnsReply> {
  return settleOnce<DnsReply>(query, "UDP", (finish) => {
    const { server } = query;
    const socket: UdpSocket = createSocket(server.family === 6 ? "udp6" : "udp4");
    socket.on("error", (error) => finish(error));
    socket.on("message", (message: Buffer) => {
      let reply: DnsReply | undefined;
      try {
        reply = replyTo(query, message);
      } catch (error) {
        finish(error);
        return;
      }
      if (reply !== undefined) finish(undefined, reply);
    });
    socket.connect(server.port, server.host, (error?: Error) => {
      if (error) {
        finish(error);
        return;
      }
      socket.send(query.message, (sendError) => {
        if (sendError) finish(sendError);
      });
    });
    socket.unref();
    return () => {
      try {
        socket.close();
      } catch {
        // already closed after an error
      }
    };
  });
}

function overTcp(query: Exchange): Promise<DnsReply> {
  return settleOnce<DnsReply>(query, "TCP", (finish) => {
    const { server } = query;
    const socket: TcpSocket = connect({ host: server.host, port: server.port });
    const framed = Buffer.alloc(2 + query.message.length);
    framed.writeUInt16BE(query.message.length, 0);
    query.message.copy(framed, 2);
    let received = Buffer.alloc(0);
    socket.on("connect", () => socket.write(framed));
    socket.on("error", (error) => finish(error));
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2) return;
      const size = received.readUInt16BE(0);
      if (received.length < 2 + size) return;
      try {
        const reply = replyTo(query, received.subarray(2, 2 + size));
        finish(
          reply === undefined ? new MalformedReplyError("the TCP reply answers another question") : undefined,
          reply,
        );
      } catch (error) {
        finish(error);
      }
    });
    socket.on("end", () =>
      finish(new MalformedReplyError(`${server.label} closed the TCP connection before replying`)),
    );
    socket.unref();
    return () => socket.destroy();
  });
}
