import { SwitchyardError } from "@switchyard/api";
import { createMemoryRegistry } from "@switchyard/registry-memory";
import { createResolver } from "@switchyard/selector-core";
import { createFakeClock } from "@switchyard/testkit";
import { describe, expect, it } from "vitest";
import { ResolverClosedError, ResolveTimeoutError } from "../src/index.js";

describe("transport-grpc exports the errors of the shared resolver loop", () => {
  it("matches a ready() timeout and a closed resolver with instanceof through its own export", async () => {
    const registry = createMemoryRegistry();
    const clock = createFakeClock();
    const resolver = createResolver({
      discovery: registry,
      serviceName: "nobody",
      family: "grpc",
      clock,
      logger: { warn() {} },
      onUpdate() {},
    });
    const timedOut = resolver.ready({ timeoutMs: 1000 }).catch((error: unknown) => error);
    await clock.advanceAsync(1000);
    const timeout = await timedOut;
    expect(timeout).toBeInstanceOf(ResolveTimeoutError);
    expect(timeout).toBeInstanceOf(SwitchyardError);
    expect(timeout).toMatchObject({ code: "RESOLVE_TIMEOUT", serviceName: "nobody" });
    const pending = resolver.ready({ timeoutMs: 60_000 }).catch((error: unknown) => error);
    await resolver.close();
    expect(await pending).toBeInstanceOf(ResolverClosedError);
    expect(await pending).toMatchObject({ code: "RESOLVER_CLOSED", serviceName: "nobody" });
    await registry.close();
  });
});
