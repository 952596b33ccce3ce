import { InvalidArgumentError } from "@switchyard/api";
import { describe, expect, it, vi } from "vitest";
import { parseEndpoint, selectEndpoint } from "../src/endpoint.js";

describe("parseEndpoint", () => {
  it.each([
    ["http://10.0.0.5:8000", { scheme: "http", address: "10.0.0.5:8000", secure: false }],
    ["http://10.0.0.5:8000?isSecure=false", { scheme: "http", address: "10.0.0.5:8000", secure: false }],
    ["http://h:8443?isSecure=true", { scheme: "https", address: "h:8443", secure: true }],
    ["http://h:8443?isSecure=1", { scheme: "https", address: "h:8443", secure: true }],
    ["https://h", { scheme: "https", address: "h:443", secure: true }],
    ["http://h", { scheme: "http", address: "h:80", secure: false }],
    ["grpc://10.0.0.5:9000", { scheme: "grpc", address: "10.0.0.5:9000", secure: false }],
    ["grpc://10.0.0.5:9000?isSecure=True", { scheme: "grpcs", address: "10.0.0.5:9000", secure: true }],
    ["grpcs://h:9000", { scheme: "grpcs", address: "h:9000", secure: true }],
    ["http://[::1]:8000", { scheme: "http", address: "[::1]:8000", secure: false }],
    ["http://h:80?isSecure=true", { scheme: "https", address: "h:80", secure: true }],
    ["https://h:443", { scheme: "https", address: "h:443", secure: true }],
    ["http://[::1]:80?isSecure=1", { scheme: "https", address: "[::1]:80", secure: true }],
  ])("%s", (endpoint, expected) => {
    expect(parseEndpoint(endpoint)).toEqual(expected);
  });

  it.each([
    ["not a url", /is not a URL/],
    ["grpc://h", /has no port/],
    ["http://", /is not a URL|has no host/],
  ])("rejects %j with InvalidArgumentError", (endpoint, message) => {
    expect(() => parseEndpoint(endpoint)).toThrow(InvalidArgumentError);
    expect(() => parseEndpoint(endpoint)).toThrow(message);
  });
});

describe("selectEndpoint", () => {
  const endpoints = ["grpc://h:9000", "http://h:8000?isSecure=true"];

  it("returns the first endpoint of the family, secure or not", () => {
    expect(selectEndpoint(endpoints, "http")).toEqual({ scheme: "https", address: "h:8000", secure: true });
    expect(selectEndpoint(endpoints, "grpc")).toEqual({ scheme: "grpc", address: "h:9000", secure: false });
    expect(selectEndpoint(["ws://h:1"], "http")).toBeUndefined();
  });

  it("skips endpoints that do not parse and reports them", () => {
    const onInvalid = vi.fn();
    expect(selectEndpoint(["::bad::", "http://h:1"], "http", onInvalid)?.address).toBe("h:1");
    expect(onInvalid).toHaveBeenCalledWith("::bad::", expect.any(InvalidArgumentError));
  });

  it("skips an endpoint of the family whose host is unspecified, and reports it", () => {
    const onInvalid = vi.fn();
    const endpoints = ["grpc://0.0.0.0:9000", "http://[::]:8000", "http://10.0.0.1:8000"];
    expect(selectEndpoint(endpoints, "http", onInvalid)?.address).toBe("10.0.0.1:8000");
    expect(onInvalid).toHaveBeenCalledTimes(1);
    expect(onInvalid.mock.calls[0]?.[1].message).toContain("unspecified host [::]");
  });
});
