import type { ServerResponse } from "node:http";

/** An error answer, as Consul's HTTP handlers give one: a status and a plain-text reason. */
export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, reason: string) {
    super(reason);
    this.status = status;
  }
}

/** Headers Consul sets on every query answer. */
export function queryHeaders(index: number): Record<string, string> {
  return {
    "X-Consul-Index": String(index),
    "X-Consul-KnownLeader": "true",
    "X-Consul-LastContact": "0",
    "X-Consul-Effective-Consistency": "leader",
  };
}

/** Sends a JSON body (compact, as Consul does without `?pretty`). */
export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    ...headers,
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}

/** Sends a plain-text body, the way Consul reports errors. */
export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...headers,
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** Answers a write endpoint: Consul's agent write handlers return 200 with an empty body. */
export function sendEmpty(res: ServerResponse): void {
  res.writeHead(200, { "Content-Length": 0 });
  res.end();
}
