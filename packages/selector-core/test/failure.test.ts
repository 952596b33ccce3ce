import { describe, expect, it } from "vitest";
import { isCancellation, isConnectionFailure, isNodeFailure } from "../src/failure.js";

const withCode = (code: string | number) => Object.assign(new Error("x"), { code });

describe("isNodeFailure", () => {
  it.each([
    ["HTTP 503", { httpStatus: 503 }],
    ["HTTP 504", { httpStatus: 504 }],
    ["HTTP 429 (a node shedding load answers fast: not a sign of speed)", { httpStatus: 429 }],
    ["gRPC UNAVAILABLE", { grpcStatus: 14 }],
    ["gRPC DEADLINE_EXCEEDED", { grpcStatus: 4 }],
    ["gRPC CANCELLED", { grpcStatus: 1 }],
    ["an AbortError", { error: new DOMException("aborted", "AbortError") }],
    ["a TimeoutError", { error: new DOMException("timed out", "TimeoutError") }],
    ["ECONNREFUSED", { error: withCode("ECONNREFUSED") }],
    ["ECONNRESET", { error: withCode("ECONNRESET") }],
    ["undici connect timeout", { error: withCode("UND_ERR_CONNECT_TIMEOUT") }],
    ["undici socket error", { error: withCode("UND_ERR_SOCKET") }],
    ["a gRPC ServiceError with code 14", { error: withCode(14) }],
    [
      "fetch failed caused by ECONNREFUSED",
      { error: new TypeError("fetch failed", { cause: withCode("ECONNREFUSED") }) },
    ],
    ["an error with status 503", { error: Object.assign(new Error("x"), { status: 503 }) }],
    ["an error with statusCode 504", { error: Object.assign(new Error("x"), { statusCode: 504 }) }],
  ])("counts %s as a failure", (_, info) => {
    expect(isNodeFailure(info)).toBe(true);
  });

  it.each([
    ["no info", undefined],
    ["an empty info", {}],
    ["HTTP 200", { httpStatus: 200 }],
    ["HTTP 404", { httpStatus: 404 }],
    ["HTTP 500", { httpStatus: 500 }],
    ["gRPC OK", { grpcStatus: 0 }],
    ["gRPC NOT_FOUND", { grpcStatus: 5 }],
    ["an application error", { error: new Error("validation failed") }],
    ["a string error", { error: "boom" }],
    ["a null error", { error: null }],
  ])("does not count %s", (_, info) => {
    expect(isNodeFailure(info as never)).toBe(false);
  });

  it("stops following a cause chain that loops", () => {
    const a: Error & { cause?: unknown } = new Error("a");
    const b = new Error("b", { cause: a });
    a.cause = b;
    expect(isNodeFailure({ error: a })).toBe(false);
  });
});

describe("isConnectionFailure", () => {
  it.each([
    ["a refused connection", { error: withCode("ECONNREFUSED"), bytesSent: false }],
    ["a reset connection after the request went out", { error: withCode("ECONNRESET"), bytesSent: true }],
    ["an unreachable host", { error: withCode("EHOSTUNREACH") }],
    ["undici's connect timeout", { error: withCode("UND_ERR_CONNECT_TIMEOUT") }],
    [
      "fetch failed caused by ECONNREFUSED",
      { error: new TypeError("fetch failed", { cause: withCode("ECONNREFUSED") }) },
    ],
    ["an error before any byte was sent", { error: new Error("socket closed"), bytesSent: false }],
  ])("counts %s", (_, info) => {
    expect(isConnectionFailure(info)).toBe(true);
  });

  it.each([
    ["no info", undefined],
    ["a success", {}],
    ["a 503 reply", { httpStatus: 503, bytesSent: true, bytesReceived: true }],
    ["a deadline", { error: new DOMException("deadline", "TimeoutError"), bytesSent: true }],
    [
      "undici's headers timeout (a slow node, not a broken connection)",
      { error: withCode("UND_ERR_HEADERS_TIMEOUT") },
    ],
    [
      "a caller's abort before anything was sent",
      { error: new DOMException("aborted", "AbortError"), bytesSent: false },
    ],
    ["gRPC UNAVAILABLE (a server may answer it)", { grpcStatus: 14, error: withCode(14) }],
  ])("does not count %s", (_, info) => {
    expect(isConnectionFailure(info as never)).toBe(false);
  });
});

describe("isCancellation", () => {
  it.each([
    ["an AbortError", { error: new DOMException("aborted", "AbortError") }],
    ["Node's ABORT_ERR", { error: withCode("ABORT_ERR") }],
    ["undici's aborted request", { error: withCode("UND_ERR_ABORTED") }],
    ["gRPC CANCELLED", { grpcStatus: 1 }],
    ["a gRPC error with code 1", { error: withCode(1) }],
  ])("counts %s", (_, info) => {
    expect(isCancellation(info)).toBe(true);
  });

  it.each([
    ["no info", undefined],
    ["a deadline", { error: new DOMException("deadline", "TimeoutError") }],
    ["a refused connection", { error: withCode("ECONNREFUSED") }],
    ["gRPC DEADLINE_EXCEEDED", { grpcStatus: 4 }],
  ])("does not count %s", (_, info) => {
    expect(isCancellation(info as never)).toBe(false);
  });
});
