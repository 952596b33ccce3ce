import { createRequire } from "node:module";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Selector, SelectorBuilder } from "../src/index.js";
import {
  createGlobalAccessors,
  getGlobalSelector,
  isCompatibleVersion,
  setGlobalSelector,
} from "../src/index.js";
import { VERSION } from "../src/version.js";

const builder = (label: string): SelectorBuilder & { label: string } => ({
  label,
  build: () => ({}) as Selector,
});

const KEY = Symbol.for("switchyard.api.global");

afterEach(() => {
  delete (globalThis as Record<symbol, unknown>)[KEY];
  vi.restoreAllMocks();
});

describe("global selector", () => {
  it("is undefined until set, and can be cleared", () => {
    expect(getGlobalSelector()).toBeUndefined();
    const b = builder("a");
    expect(setGlobalSelector(b)).toBe(true);
    expect(getGlobalSelector()).toBe(b);
    expect(setGlobalSelector(undefined)).toBe(true);
    expect(getGlobalSelector()).toBeUndefined();
  });

  it("is shared by two copies of the package loaded in one process (ESM source and CJS build)", () => {
    const require = createRequire(import.meta.url);
    const other = require("../dist/index.cjs") as typeof import("../src/index.js");
    expect(other.setGlobalSelector).not.toBe(setGlobalSelector);
    const b = builder("from cjs");
    expect(other.setGlobalSelector(b)).toBe(true);
    expect(getGlobalSelector()).toBe(b);
    const c = builder("from esm");
    setGlobalSelector(c);
    expect(other.getGlobalSelector()).toBe(c);
  });

  it("stores the writer's version beside the selector, frozen", () => {
    setGlobalSelector(builder("a"));
    const slot = (globalThis as Record<symbol, unknown>)[KEY] as { version: string };
    expect(slot.version).toBe(VERSION);
    expect(Object.isFrozen(slot)).toBe(true);
    expect(Object.keys(globalThis)).not.toContain(KEY.toString());
  });

  it("refuses, with a clear warning, a copy of an incompatible major version", () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const v1 = createGlobalAccessors("1.4.0");
    const v2 = createGlobalAccessors("2.0.0");
    const first = builder("v1");
    expect(v1.setGlobalSelector(first)).toBe(true);
    expect(v2.setGlobalSelector(builder("v2"))).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("belongs to @switchyard/api 1.4.0"), {
      code: "SWITCHYARD_API_VERSION",
    });
    // The slot keeps the first copy's selector; the incompatible copy reads nothing and never throws.
    expect(v1.getGlobalSelector()).toBe(first);
    expect(v2.getGlobalSelector()).toBeUndefined();
    expect(v2.getGlobalSelector()).toBeUndefined();
    const readWarnings = warn.mock.calls.filter(([m]) => String(m).includes("ignoring the global selector"));
    expect(readWarnings).toHaveLength(1);
  });

  it("agrees across compatible minor and patch versions", () => {
    const a = createGlobalAccessors("1.2.0");
    const b = createGlobalAccessors("1.5.3");
    const s = builder("a");
    expect(a.setGlobalSelector(s)).toBe(true);
    expect(b.getGlobalSelector()).toBe(s);
  });

  it("reads a corrupted slot as empty instead of throwing", () => {
    (globalThis as Record<symbol, unknown>)[KEY] = "garbage";
    expect(getGlobalSelector()).toBeUndefined();
    expect(setGlobalSelector(builder("fresh"))).toBe(true);
  });
});

describe("isCompatibleVersion", () => {
  it.each([
    ["1.0.0", "1.9.9", true],
    ["1.0.0", "2.0.0", false],
    ["0.1.0", "0.1.7", true],
    ["0.1.0", "0.2.0", false],
    ["1.0.0-beta.1", "1.0.0-beta.1", true],
    ["1.0.0-beta.1", "1.0.0", false],
    ["1.0.0", "not a version", false],
  ])("%s with %s: %s", (own, other, expected) => {
    expect(isCompatibleVersion(own, other)).toBe(expected);
  });
});
