import { type Logger, RegistryError } from "@switchyard/api";
import { WARNING_CODE } from "@switchyard/kit";
import { createFakeClock, flushMicrotasks } from "@switchyard/testkit";
import { afterEach, describe, expect, it, vi } from "vitest";
import { direct } from "../src/direct.js";
import { createResolver } from "../src/resolver.js";
import type { ResolverUpdate } from "../src/resolver-update.js";
import { createSelectorBuilder } from "../src/selector.js";
import { createSelectorResolver } from "../src/selector-resolver.js";
import { instance, MemoryLikeDiscovery, RecordingLogger } from "./resolver-fakes.js";

const throwingLogger: Logger = {
  warn() {
    throw new Error("log sink is down");
  },
  debug() {
    throw new Error("log sink is down");
  },
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe("createResolver: user callbacks that throw", () => {
  // Vitest fails the run on an unhandled rejection, so this also proves none is left behind.
  it("keeps watching and serves a newly registered instance when the logger's warn throws", async () => {
    const emitted = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const clock = createFakeClock();
    const discovery = new MemoryLikeDiscovery();
    discovery.register(instance("a", ["http://10.0.0.1:8000"]));
    discovery.register(instance("broken", ["not a url"])); // skipped, with a warning
    const updates: ResolverUpdate[] = [];
    const resolver = createResolver({
      discovery,
      serviceName: "helloworld",
      family: "http",
      clock,
      logger: throwingLogger,
      backoff: { initialMs: 1000, jitter: 0 },
      onUpdate: (update) => updates.push(update),
      onError: () => {
        throw new Error("onError is broken too");
      },
    });
    const addresses = () => (updates.at(-1)?.nodes ?? []).map((n) => n.address);
    await flushMicrotasks();
    expect(addresses()).toEqual(["10.0.0.1:8000"]);

    discovery.register(instance("b", ["http://10.0.0.2:8000"]));
    await flushMicrotasks();
    expect(addresses()).toEqual(["10.0.0.1:8000", "10.0.0.2:8000"]);

    // A watch error: its report and the retry go through the same broken logger and onError.
    discovery.failWatches(new RegistryError("registry connection lost"));
    await flushMicrotasks();
    await clock.advanceAsync(1000);
    discovery.register(instance("c", ["http://10.0.0.3:8000"]));
    await flushMicrotasks();
    expect(addresses()).toEqual(["10.0.0.1:8000", "10.0.0.2:8000", "10.0.0.3:8000"]);

    // What the logger could not take went to process warnings instead.
    const messages = emitted.mock.calls.map(([message]) => String(message));
    expect(messages.some((m) => m.includes('skipped instance "broken"'))).toBe(true);
    expect(messages.some((m) => m.includes("registry connection lost"))).toBe(true);
    expect(messages.some((m) => m.includes("onError"))).toBe(true);
    for (const [, options] of emitted.mock.calls) expect(options).toMatchObject({ code: WARNING_CODE });
    await resolver.close();
  });

  it("keeps a list the selector took when the onUpdate after apply throws, and reports the throw", async () => {
    const clock = createFakeClock();
    const discovery = new MemoryLikeDiscovery();
    discovery.register(instance("a", ["http://10.0.0.1:8000"]));
    const selector = createSelectorBuilder({
      balancer: { name: "first", build: () => ({ pick: (nodes) => ({ node: nodes[0]!, done: () => {} }) }) },
      nodeBuilder: direct({ clock }),
    }).build();
    const logger = new RecordingLogger();
    const resolver = createSelectorResolver({
      selector,
      discovery,
      serviceName: "helloworld",
      family: "http",
      clock,
      logger,
      onUpdate: () => {
        throw new Error("metrics hook broke");
      },
    });
    await flushMicrotasks();
    expect(resolver.current()?.nodes.map((n) => n.address)).toEqual(["10.0.0.1:8000"]);
    expect(selector.select().node.address).toBe("10.0.0.1:8000");
    expect(logger.matching("metrics hook broke")).toHaveLength(1);
    await resolver.close();
  });
});
