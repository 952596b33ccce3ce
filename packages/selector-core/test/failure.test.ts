import { describe, expect, it } from "vitest";
import { isNodeFailure } from "../src/failure.js";

const withCode = (code: string | number) => Object.assign(new Error("x"), { code });

describe("isNodeFailure", () => {
  it.each([
    ["HTTP 503", { httpStatus: 503 }],
    ["HTTP 504", { httpStatus: 504 }],
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
    ["HTTP 429", { httpStatus: 429 }],
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
