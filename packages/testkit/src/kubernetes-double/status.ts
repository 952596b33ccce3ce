import type { ServerResponse } from "node:http";

/** A `Status` failure, as the API server sends for every refused request. */
export interface StatusBody {
  readonly kind: "Status";
  readonly apiVersion: "v1";
  readonly metadata: Record<string, never>;
  readonly status: "Failure";
  readonly message: string;
  readonly reason: string;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly code: number;
}

/** Thrown by routes to answer with a Status object. */
export class StatusError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: number, reason: string, message: string, details?: Readonly<Record<string, unknown>>) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  body(): StatusBody {
    return statusBody(this.code, this.reason, this.message, this.details);
  }
}

/** The reason the API server gives for a code, when none is named. */
export function reasonFor(code: number): string {
  const reasons: Record<number, string> = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    410: "Expired",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
  };
  return reasons[code] ?? "Unknown";
}

export function statusBody(
  code: number,
  reason: string,
  message: string,
  details?: Readonly<Record<string, unknown>>,
): StatusBody {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    ...(details === undefined ? {} : { details }),
    code,
  };
}

/** Sends a JSON body with the API server's headers. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Cache-Control": "no-cache, private",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendStatus(res: ServerResponse, error: StatusError): void {
  sendJson(res, error.code, error.body());
}

/** The message of a 410 for a watch or continue token older than the oldest kept resourceVersion. */
export function tooOld(resourceVersion: number, oldest: number): StatusError {
  return new StatusError(410, "Expired", `too old resource version: ${resourceVersion} (${oldest})`);
}
