import { SwitchyardError } from "@switchyard/api";
import { createMemoryRegistry, type MemoryRegistry } from "@switchyard/registry-memory";
import { createFakeClock } from "@switchyard/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createClient, ResolverClosedError, ResolveTimeoutError } from "../src/index.js";

let registry: MemoryRegistry;

beforeEach(() => {
  registry = createMemoryRegistry();
});

afterEach(async () => {
  await registry.close();
});

describe("transport-http exports the errors its client rejects with", () => {
  it("rejects a blocking createClient with its ResolveTimeoutError when no instance arrives", async () => {
    const clock = createFakeClock();
    const creating = createClient({
      endpoint: "discovery:///nobody",
      discovery: registry,
      block: { timeoutMs: 1000 },
      clock,
      logger: { warn() {} },
    });
    const settled = creating.catch((error: unknown) => error);
    await clock.advanceAsync(1000);
    const error = await settled;
    expect(error).toBeInstanceOf(ResolveTimeoutError);
    expect(error).toBeInstanceOf(SwitchyardError);
    expect(error).toMatchObject({ code: "RESOLVE_TIMEOUT", serviceName: "nobody", timeoutMs: 1000 });
  });

  it("rejects a pending ready() with its ResolverClosedError when the client closes", async () => {
    const client = await createClient({
      endpoint: "discovery:///nobody",
      discovery: registry,
      logger: { warn() {} },
    });
    const waiting = client.ready({ timeoutMs: 60_000 }).catch((error: unknown) => error);
    await client.close();
    const error = await waiting;
    expect(error).toBeInstanceOf(ResolverClosedError);
    expect(error).toMatchObject({ code: "RESOLVER_CLOSED", serviceName: "nobody" });
  });
});
