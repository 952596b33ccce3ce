import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import {
  FilterError,
  InvalidArgumentError,
  NoAvailableNodeError,
  RegistryError,
  SwitchyardError,
  WatcherStoppedError,
} from "../src/errors.js";

describe("errors", () => {
  it("carry a stable code, a name and the cause", () => {
    const cause = new Error("root");
    const error = new NoAvailableNodeError("p2c: no node", { cause });
    expect(error.code).toBe("NO_AVAILABLE_NODE");
    expect(error.name).toBe("NoAvailableNodeError");
    expect(error.message).toBe("p2c: no node");
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(SwitchyardError);
    expect(error).toBeInstanceOf(NoAvailableNodeError);
    expect(error).not.toBeInstanceOf(FilterError);
  });

  it("each class has its own code", () => {
    expect(new InvalidArgumentError("x").code).toBe("INVALID_ARGUMENT");
    expect(new FilterError("x").code).toBe("FILTER_FAILED");
    expect(new WatcherStoppedError("x").code).toBe("WATCHER_STOPPED");
    const registry = new RegistryError("x", { status: 403, retryable: false });
    expect([registry.code, registry.status, registry.retryable]).toEqual(["REGISTRY_ERROR", 403, false]);
    expect(new RegistryError("x").retryable).toBe(true);
  });

  it("instanceof holds for an error thrown by another copy of the package (the CJS build)", () => {
    const require = createRequire(import.meta.url);
    const cjs = require("../dist/index.cjs") as typeof import("../src/index.js");
    expect(cjs.NoAvailableNodeError).not.toBe(NoAvailableNodeError);
    const foreign = new cjs.NoAvailableNodeError("from the other copy");
    expect(foreign).toBeInstanceOf(NoAvailableNodeError);
    expect(foreign).toBeInstanceOf(SwitchyardError);
    expect(foreign).not.toBeInstanceOf(InvalidArgumentError);
    expect(new NoAvailableNodeError("x")).toBeInstanceOf(cjs.NoAvailableNodeError);
  });

  it("instanceof is false for look-alikes without the brand and for non-objects", () => {
    expect({ code: "NO_AVAILABLE_NODE", message: "x" } instanceof NoAvailableNodeError).toBe(false);
    expect(new Error("x") instanceof SwitchyardError).toBe(false);
    expect((null as unknown) instanceof SwitchyardError).toBe(false);
    expect(("NO_AVAILABLE_NODE" as unknown) instanceof NoAvailableNodeError).toBe(false);
  });
});
