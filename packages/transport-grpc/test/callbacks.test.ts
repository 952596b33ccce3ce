import { Metadata, status } from "@grpc/grpc-js";
import type { DoneInfo, Logger, Node, Selector, SelectorBuilder } from "@switchyard/api";
import { p2c } from "@switchyard/balancer-p2c";
import { wrr } from "@switchyard/balancer-wrr";
import { WARNING_CODE } from "@switchyard/kit";
import { createMemoryRegistry, type MemoryRegistry } from "@switchyard/registry-memory";
import { createNode } from "@switchyard/selector-core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createChannelOptions, SWEEP_PERIOD_MS } from "../src/index.js";
import type { SwitchyardChannelOptions } from "../src/options.js";
import { codeOf, instanceOf, waitForReady } from "./helpers.js";
import {
  A,
  B,
  DROP,
  PICK_FAILED,
  pickedAddress,
  policyHarness,
  READY,
  TRANSIENT_FAILURE,
} from "./policy-harness.js";
import { type GreeterClient, greeter, sayHello, startServers, type TestServer } from "./servers.js";

let servers: TestServer[] = [];
let registry: MemoryRegistry;
const clients: GreeterClient[] = [];

/** wrr, except that every done callback it hands out throws after recording the outcome. */
function throwingDone(outcomes: (DoneInfo | undefined)[] = []): SelectorBuilder {
  return {
    build() {
      const inner = wrr().build();
      return {
        apply: (nodes) => inner.apply(nodes),
        select(options) {
          const picked = inner.select(options);
          return {
            node: picked.node,
            done: (info) => {
              outcomes.push(info);
              picked.done(info);
              throw new Error("done exploded");
            },
          };
        },
      };
    },
  };
}

interface Recorded {
  readonly logger: Logger;
  readonly warnings: { message: string; details: Readonly<Record<string, unknown>> | undefined }[];
}

function recordingLogger(): Recorded {
  const warnings: Recorded["warnings"] = [];
  return { warnings, logger: { warn: (message, details) => warnings.push({ message, details }) } };
}

const throwingLogger: Logger = {
  warn() {
    throw new Error("logger exploded");
  },
};

async function dialReady(options: Partial<SwitchyardChannelOptions>): Promise<GreeterClient> {
  const built = createChannelOptions({ target: "discovery:///helloworld", discovery: registry, ...options });
  const client = greeter(built.target, built.options);
  clients.push(client);
  await waitForReady(client);
  return client;
}

/** The process warnings the transport emitted (other code may emit its own). */
function ours(emitted: { mock: { calls: unknown[][] } }): unknown[][] {
  return emitted.mock.calls.filter((call) => /^(transport-grpc|switchyard):/.test(String(call[0])));
}

/** What escaped to the process (uncaught exceptions, unhandled rejections) during the test. */
const escaped: unknown[] = [];
const onEscape = (error: unknown) => escaped.push(error);

beforeEach(async () => {
  escaped.length = 0;
  process.on("uncaughtException", onEscape);
  process.on("unhandledRejection", onEscape);
  servers = await startServers(1);
  registry = createMemoryRegistry();
  await registry.register(instanceOf(servers[0]!));
});

afterEach(async () => {
  process.off("uncaughtException", onEscape);
  process.off("unhandledRejection", onEscape);
  vi.restoreAllMocks();
  for (const client of clients.splice(0)) client.close();
  await registry.close();
  await Promise.all(servers.map((s) => s.close()));
  expect(escaped, "thrown to the process (uncaught or unhandled)").toEqual([]);
});

describe("transport-grpc isolates user callbacks over real servers", () => {
  it("delivers the reply of a successful call when the selector's done throws, and reports the throw", async () => {
    const { logger, warnings } = recordingLogger();
    const outcomes: (DoneInfo | undefined)[] = [];
    const client = await dialReady({ selector: throwingDone(outcomes), logger });
    expect(await sayHello(client, "ada")).toEqual({ message: "hello ada", server: "s0" });
    await vi.waitFor(() => expect(outcomes).toHaveLength(1));
    expect(outcomes[0]).toMatchObject({ grpcStatus: status.OK });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/^transport-grpc: the selector's done callback threw/);
    expect(warnings[0]!.details).toMatchObject({
      service: "helloworld",
      address: servers[0]!.address,
      error: expect.objectContaining({ message: "done exploded" }),
    });
  });

  it("delivers the status of a failed call untouched when the selector's done throws", async () => {
    servers[0]!.handle((_call, callback) => callback({ code: status.RESOURCE_EXHAUSTED, details: "busy" }));
    const { logger, warnings } = recordingLogger();
    const client = await dialReady({ selector: throwingDone(), logger });
    const error = await sayHello(client).catch((e: unknown) => e);
    expect(codeOf(error)).toBe(status.RESOURCE_EXHAUSTED);
    expect((error as Error).message).toMatch(/busy/);
    await vi.waitFor(() => expect(warnings).toHaveLength(1));
  });

  it("reports a throwing done at 1, 2, 4, 8… throws, not on every call", async () => {
    const { logger, warnings } = recordingLogger();
    const client = await dialReady({ selector: throwingDone(), logger });
    for (let i = 0; i < 9; i++) await sayHello(client);
    await vi.waitFor(() => expect(warnings.map((w) => w.details?.count)).toEqual([1, 2, 4, 8]));
  });

  it("goes to process.emitWarning when the done throws and the logger throws too", async () => {
    const emitted = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const client = await dialReady({ selector: throwingDone(), logger: throwingLogger });
    expect((await sayHello(client)).server).toBe("s0");
    await vi.waitFor(() => expect(ours(emitted)).toHaveLength(1));
    expect(String(ours(emitted)[0]![0])).toMatch(/the logger threw while reporting this: logger exploded/);
    expect(ours(emitted)[0]![1]).toMatchObject({ code: WARNING_CODE, detail: "done exploded" });
  });

  it("delivers replies when p2c's isFailure throws on a success (info.error is undefined)", async () => {
    const { logger } = recordingLogger();
    // A bug users write: `error` is only set when the call failed.
    const client = await dialReady({
      selector: p2c({ isFailure: (info) => (info as { error: { code: number } }).error.code === 14 }),
      logger,
    });
    for (let i = 0; i < 3; i++) expect((await sayHello(client)).server).toBe("s0");
  });
});

describe("transport-grpc isolates user callbacks in the policy (fake subchannels)", () => {
  it("expires picks that never became calls although their done throws, and reports it", () => {
    const h = policyHarness();
    const { logger, warnings } = recordingLogger();
    const outcomes: (DoneInfo | undefined)[] = [];
    h.start({ selector: throwingDone(outcomes), logger }, {}, A, B);
    h.helper.at(A).set(READY);
    h.helper.at(B).set(READY);
    h.pick();
    h.pick(); // grpc-js dropped both picks: no onCallStarted will come
    h.clock.advance(SWEEP_PERIOD_MS);
    h.clock.advance(SWEEP_PERIOD_MS);
    expect(outcomes).toEqual([{ bytesSent: false }, { bytesSent: false }]);
    expect(warnings.map((w) => w.details?.count)).toEqual([1, 2]);
    expect(h.clock.pendingTimers()).toBe(0);
    // The sweep goes on after the throws: a later dropped pick is expired too.
    h.pick();
    h.clock.advance(2 * SWEEP_PERIOD_MS);
    expect(outcomes).toHaveLength(3);
  });

  it("drops a call whose selector returned a foreign node although that node's done throws", () => {
    const h = policyHarness();
    const { logger, warnings } = recordingLogger();
    const foreign: SelectorBuilder = {
      build: (): Selector => ({
        apply() {},
        select: () => ({
          node: createNode({ scheme: "grpc", address: "10.9.9.9:1" }),
          done() {
            throw new Error("done exploded");
          },
        }),
      }),
    };
    h.start({ selector: foreign, logger }, {}, A);
    h.helper.at(A).set(READY);
    const result = h.pick();
    expect(result.pickResultType).toBe(DROP);
    expect(result.status?.details).toMatch(/which it was not given/);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.details).toMatchObject({ address: "10.9.9.9:1" });
  });

  it("keeps serving when the selector refuses a node list and the logger throws", () => {
    const emitted = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const h = policyHarness();
    let refuse = false;
    const picky: SelectorBuilder = {
      build() {
        const inner = wrr().build();
        return {
          apply(nodes: readonly Node[]) {
            if (refuse) throw new Error("no, thanks");
            inner.apply(nodes);
          },
          select: (options) => inner.select(options),
        };
      },
    };
    h.start({ selector: picky, logger: throwingLogger }, {}, A, B);
    h.helper.at(A).set(READY);
    refuse = true;
    expect(() => h.helper.at(B).set(READY)).not.toThrow();
    expect(pickedAddress(h.pick())).toBe(A); // the last list the selector took keeps serving
    expect(ours(emitted)).toHaveLength(1);
    expect(String(ours(emitted)[0]![0])).toMatch(/refused a node list.*logger exploded/);
    expect(ours(emitted)[0]![1]).toMatchObject({ code: WARNING_CODE, detail: "no, thanks" });
  });

  it("fails calls fast, naming the problem, when the selector builder throws", () => {
    const h = policyHarness();
    const { logger, warnings } = recordingLogger();
    let builds = 0;
    const broken: SelectorBuilder = {
      build() {
        if (++builds === 1) throw new Error("cannot build");
        return wrr().build();
      },
    };
    expect(() => h.start({ selector: broken, logger }, {}, A)).not.toThrow();
    expect(h.helper.last.state).toBe(TRANSIENT_FAILURE);
    const result = h.pick();
    expect(result.pickResultType).toBe(PICK_FAILED);
    expect(result.status).toMatchObject({ code: status.UNAVAILABLE });
    expect(result.status?.details).toMatch(
      /^transport-grpc: the selector builder of "helloworld:9000" threw \(cannot build\)/,
    );
    expect(warnings.map((w) => w.message)).toEqual([result.status?.details]);
    expect(h.helper.subchannels.size).toBe(0);
    // The next resolver update builds it again.
    h.start({ selector: broken, logger }, {}, A);
    h.helper.at(A).set(READY);
    expect(pickedAddress(h.pick())).toBe(A);
  });

  it("completes a started call although its done throws, once", () => {
    const h = policyHarness();
    const { logger, warnings } = recordingLogger();
    const outcomes: (DoneInfo | undefined)[] = [];
    h.start({ selector: throwingDone(outcomes), logger }, {}, A);
    h.helper.at(A).set(READY);
    const result = h.pick();
    result.onCallStarted!();
    expect(() => result.onCallEnded!(status.OK, "", new Metadata())).not.toThrow();
    expect(() => result.onCallEnded!(status.OK, "", new Metadata())).not.toThrow();
    expect(outcomes).toHaveLength(1);
    expect(warnings).toHaveLength(1);
  });
});
