import { describe, expect, it } from "vitest";
import { decodeInstance, encodeInstance } from "../src/codec.js";

const good = {
  id: "a-1",
  name: "api",
  version: "1.0.0",
  metadata: { zone: "z1" },
  endpoints: ["http://10.0.0.1:80"],
};
const value = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v));

describe("etcd codec: Kratos's JSON", () => {
  it("writes exactly id, name, version, metadata and endpoints, in Kratos's field order", () => {
    const text = encodeInstance({ ...good, extra: "dropped" } as typeof good);
    expect(text).toBe(
      '{"id":"a-1","name":"api","version":"1.0.0","metadata":{"zone":"z1"},"endpoints":["http://10.0.0.1:80"]}',
    );
  });

  it("reads back what it writes as a frozen instance with null-prototype metadata", () => {
    const read = decodeInstance(value(encodeInstance(good)), "api", "a-1");
    expect(read).toEqual(good);
    expect(Object.isFrozen(read)).toBe(true);
    expect(Object.getPrototypeOf((read as typeof good).metadata)).toBeNull();
  });

  it("reads Go's null metadata map, and a missing one, as empty metadata", () => {
    expect(decodeInstance(value({ ...good, metadata: null }), "api", "a-1")).toMatchObject({ metadata: {} });
    const { metadata: _, ...without } = good;
    expect(decodeInstance(value(without), "api", "a-1")).toMatchObject({ metadata: {} });
  });

  it("stores a __proto__ metadata key as plain data", () => {
    const read = decodeInstance(
      value('{"id":"a-1","name":"api","version":"","metadata":{"__proto__":"x"},"endpoints":["http://h:1"]}'),
      "api",
      "a-1",
    );
    expect(Object.getOwnPropertyDescriptor((read as typeof good).metadata, "__proto__")?.value).toBe("x");
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  const bad: [string, unknown, RegExp][] = [
    ["text that is not JSON", "hello {", /its value is not JSON: "hello \{"/],
    ["a JSON array", [good], /the value must be an object, got an array/],
    ["a missing id", { ...good, id: undefined }, /the value\.id must be a non-empty string, got undefined/],
    ["a missing version", { ...good, version: undefined }, /the value\.version must be a string/],
    [
      "a numeric metadata value",
      { ...good, metadata: { weight: 10 } },
      /the value\.metadata\["weight"\] must be a string, got 10/,
    ],
    [
      "Go's null endpoints",
      { ...good, endpoints: null },
      /the value\.endpoints must be a non-empty array of URLs, got null/,
    ],
    [
      "an endpoint that is not a URL",
      { ...good, endpoints: ["10.0.0.1:80 x"] },
      /endpoints\[0\] "10\.0\.0\.1:80 x" is not a URL/,
    ],
    [
      "a name other than the service",
      { ...good, name: "web" },
      /its name "web" is not "api", the service its key is under/,
    ],
    [
      "an id other than the key's",
      { ...good, id: "a-2" },
      /its id "a-2" differs from the one its key ends with, "a-1"/,
    ],
  ];
  it.each(bad)("skips %s, saying why", (_, stored, reason) => {
    const read = decodeInstance(value(stored), "api", "a-1");
    expect(typeof read).toBe("string");
    expect(read).toMatch(reason);
  });

  it("quotes at most 60 characters of a value that is not JSON", () => {
    const read = decodeInstance(value(`x${"y".repeat(500)}`), "api", "a-1") as string;
    expect(read.length).toBeLessThan(120);
  });
});
