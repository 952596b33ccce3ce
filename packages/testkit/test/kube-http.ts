// Plain HTTP(S) calls to the Kubernetes double, for the tests that check its answers field by field.
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { KubernetesDouble } from "../src/kubernetes.js";

/** An answer of the double, read whole. */
export interface Answer {
  readonly status: number;
  readonly text: string;
  json<T = Record<string, unknown>>(): T;
}

export interface CallInit {
  readonly method?: string;
  readonly body?: unknown;
  readonly token?: string;
  readonly accept?: string;
  readonly clientCertificate?: boolean;
}

function open(double: KubernetesDouble, path: string, init: CallInit): Promise<IncomingMessage> {
  const url = new URL(path, double.url);
  const headers: Record<string, string> = { Accept: init.accept ?? "application/json" };
  if (init.token !== undefined) headers.Authorization = `Bearer ${init.token}`;
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const tls = url.protocol === "https:";
  const options = {
    method: init.method ?? (body === undefined ? "GET" : "POST"),
    headers,
    ...(tls ? { ca: double.ca, ...(init.clientCertificate ? double.clientCertificate : {}) } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = (tls ? httpsRequest : httpRequest)(url, options, resolve);
    req.on("error", reject);
    req.end(body);
  });
}

/** Sends one request and reads the whole answer. */
export async function call(double: KubernetesDouble, path: string, init: CallInit = {}): Promise<Answer> {
  const res = await open(double, path, init);
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return { status: res.statusCode ?? 0, text, json: <T>() => JSON.parse(text) as T };
}

/** One event of a watch stream. */
export interface WatchEvent {
  readonly type: string;
  readonly object: Record<string, unknown> & { metadata?: Record<string, unknown> };
}

/** A watch stream read line by line: `next()` gives the next event, or undefined when the stream ended. */
export interface EventStream {
  readonly status: number;
  next(): Promise<WatchEvent | undefined>;
  close(): void;
}

export async function watchStream(
  double: KubernetesDouble,
  path: string,
  init: CallInit = {},
): Promise<EventStream> {
  const res = await open(double, path, init);
  const lines: string[] = [];
  const waiting: Array<(line: string | undefined) => void> = [];
  let buffer = "";
  let ended = false;
  const push = (line: string | undefined): void => {
    const waiter = waiting.shift();
    if (waiter !== undefined) waiter(line);
    else if (line !== undefined) lines.push(line);
  };
  res.setEncoding("utf8");
  res.on("data", (chunk: string) => {
    buffer += chunk;
    for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
      push(buffer.slice(0, i));
      buffer = buffer.slice(i + 1);
    }
  });
  const finish = (): void => {
    ended = true;
    while (waiting.length > 0) push(undefined);
  };
  res.on("end", finish);
  res.on("error", finish);
  res.on("close", finish);
  return {
    status: res.statusCode ?? 0,
    next: () => {
      const line = lines.shift();
      if (line !== undefined) return Promise.resolve(JSON.parse(line) as WatchEvent);
      if (ended) return Promise.resolve(undefined);
      return new Promise<string | undefined>((resolve) => waiting.push(resolve)).then((l) =>
        l === undefined ? undefined : (JSON.parse(l) as WatchEvent),
      );
    },
    close: () => res.destroy(),
  };
}

/** An EndpointSlice of Service `service` with one ready endpoint per address. */
export function slice(
  name: string,
  service: string,
  addresses: string[],
  port = 8080,
): Record<string, unknown> {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name, labels: { "kubernetes.io/service-name": service } },
    addressType: "IPv4",
    ports: [{ name: "http", port, protocol: "TCP" }],
    endpoints: addresses.map((address) => ({ addresses: [address], conditions: { ready: true } })),
  };
}
