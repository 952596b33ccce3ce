import { connectivityState, Metadata, status } from "@grpc/grpc-js";
import type { Node, NodeFilter } from "@switchyard/api";
import { version } from "@switchyard/filter-version";
import type { FakeClock } from "@switchyard/testkit";
import { beforeEach, describe, expect, it } from "vitest";
import { createRouteInterceptor, ROUTE_METADATA_KEY, SWEEP_PERIOD_MS } from "../src/index.js";
import type { FakeHelper } from "./fake-channel.js";
import {
  A,
  B,
  DROP,
  PICK_FAILED,
  type PolicyHarness,
  pickedAddress,
  policyHarness,
  QUEUE,
  READY,
} from "./policy-harness.js";

const { CONNECTING, TRANSIENT_FAILURE } = connectivityState;

import type { SpySelector } from "./spy.js";
import { endpointsOf, updateOf } from "./update.js";

let h: PolicyHarness;
let helper: FakeHelper;
let spy: SpySelector;
let clock: FakeClock;
let start: PolicyHarness["start"];
let pick: PolicyHarness["pick"];

beforeEach(() => {
  h = policyHarness();
  ({ helper, spy, clock, start, pick } = h);
});

describe("the Switchyard policy: calls and routing (fake subchannels)", () => {
  it("counts a call from onCallStarted and completes it once from onCallEnded, with status and trailers", () => {
    start({}, {}, A);
    helper.at(A).set(READY);
    const result = pick();
    expect(spy.done).toHaveLength(0);
    result.onCallStarted!();
    const trailers = new Metadata();
    trailers.set("x-load", "3");
    trailers.set("x-raw-bin", Buffer.from([1, 2]));
    result.onCallEnded!(status.RESOURCE_EXHAUSTED, "busy", trailers);
    result.onCallEnded!(status.OK, "", new Metadata());
    expect(spy.done).toHaveLength(1);
    const info = spy.done[0]!.info!;
    expect(info).toMatchObject({ grpcStatus: status.RESOURCE_EXHAUSTED, error: { details: "busy" } });
    expect(info.replyMetadata?.get("x-load")).toBe("3");
    expect(info.replyMetadata?.get("x-raw-bin")).toBe(Buffer.from([1, 2]).toString("base64"));
  });

  it("completes a pick whose call never starts as not sent (no failure), one to two sweep periods later", () => {
    start({}, {}, A);
    helper.at(A).set(READY);
    pick(); // grpc-js dropped this pick: no onCallStarted will come
    const started = pick();
    started.onCallStarted!();
    clock.advance(SWEEP_PERIOD_MS);
    expect(spy.done).toHaveLength(0);
    clock.advance(SWEEP_PERIOD_MS);
    expect(spy.done.map((d) => d.info)).toEqual([{ bytesSent: false }]);
    expect(clock.pendingTimers()).toBe(0);
    started.onCallEnded!(status.OK, "", new Metadata());
    expect(spy.done.map((d) => d.info?.grpcStatus)).toEqual([undefined, status.OK]);
  });

  it("queues a pick the filters leave without a READY node while another subchannel connects", () => {
    const update = updateOf([
      { id: "a", name: "helloworld", version: "1.0.0", metadata: {}, endpoints: [`grpc://${A}`] },
      { id: "b", name: "helloworld", version: "2.0.0", metadata: {}, endpoints: [`grpc://${B}`] },
    ]);
    start({ filters: [version("2.0.0")] }, {}, ...endpointsOf(update));
    helper.at(A).set(READY);
    expect(helper.at(B).getConnectivityState()).toBe(CONNECTING);
    expect(pick().pickResultType).toBe(QUEUE);
    const published = helper.states.length;
    helper.at(B).set(READY);
    expect(helper.states.length).toBeGreaterThan(published); // queued calls are picked again
    expect(pickedAddress(pick())).toBe(B);
  });

  it("fails a pick as UNAVAILABLE once no subchannel the filters want is connecting, so waitForReady calls wait", () => {
    const update = updateOf([
      { id: "a", name: "helloworld", version: "1.0.0", metadata: {}, endpoints: [`grpc://${A}`] },
      { id: "b", name: "helloworld", version: "2.0.0", metadata: {}, endpoints: [`grpc://${B}`] },
    ]);
    start({ filters: [version("2.0.0")] }, {}, ...endpointsOf(update));
    helper.at(A).set(READY);
    const published = helper.states.length;
    helper.at(B).set(TRANSIENT_FAILURE, "connection refused");
    expect(helper.states.length).toBeGreaterThan(published); // the queued calls fail now, not at their deadline
    const result = pick();
    expect(result.pickResultType).toBe(PICK_FAILED);
    expect(result.status).toMatchObject({ code: status.UNAVAILABLE });
    expect(result.status?.details).toMatch(/no node of "helloworld" matched \[version=2.0.0\]/);
    helper.at(B).set(READY);
    expect(pickedAddress(pick())).toBe(B);
  });

  it("drops a call as INTERNAL when a filter throws", () => {
    const broken: NodeFilter = () => {
      throw new Error("boom");
    };
    start({ filters: [broken] }, {}, A);
    helper.at(A).set(READY);
    const result = pick();
    expect(result.pickResultType).toBe(DROP);
    expect(result.status).toMatchObject({ code: status.INTERNAL });
    expect(result.status?.details).toMatch(/boom/);
  });

  it("reads a route from the call metadata, removes its key, and adds its filters after the channel's", () => {
    const update = updateOf([
      { id: "a", name: "helloworld", version: "1.0.0", metadata: {}, endpoints: [`grpc://${A}`] },
      { id: "b", name: "helloworld", version: "2.0.0", metadata: {}, endpoints: [`grpc://${B}`] },
    ]);
    const seen: string[] = [];
    const channelFilter: NodeFilter = (nodes: readonly Node[]) => {
      seen.push("channel");
      return nodes;
    };
    start({ filters: [channelFilter] }, {}, ...endpointsOf(update));
    helper.at(A).set(READY);
    helper.at(B).set(READY);
    const interceptor = createRouteInterceptor({ filters: [version("2.0.0")], attributes: { lane: "v2" } });
    const metadata = routeMetadata(interceptor);
    expect(pickedAddress(pick(metadata))).toBe(B);
    expect(metadata.get(ROUTE_METADATA_KEY)).toEqual([]);
    expect(seen).toEqual(["channel"]);
    expect(spy.attributes.at(-1)).toMatchObject({ lane: "v2", method: "/helloworld.Greeter/SayHello" });
  });

  it("reads the route through Metadata.get from metadata that keeps its entries another way", () => {
    start({}, {}, A, B);
    helper.at(A).set(READY);
    helper.at(B).set(READY);
    const interceptor = createRouteInterceptor({
      filters: [(nodes) => nodes.filter((n) => n.address === B)],
    });
    const inner = routeMetadata(interceptor);
    // Only the public methods the picker may fall back on: no internal map.
    const other = {
      get: (key: string) => inner.get(key),
      remove: (key: string) => inner.remove(key),
    } as unknown as Metadata;
    expect(pickedAddress(pick(other))).toBe(B);
    expect(inner.get(ROUTE_METADATA_KEY)).toEqual([]);
  });

  it("drops a call that names a route nobody registered, as INTERNAL", () => {
    start({}, {}, A);
    helper.at(A).set(READY);
    const metadata = new Metadata();
    metadata.set(ROUTE_METADATA_KEY, "no-such-route");
    const result = pick(metadata);
    expect(result.pickResultType).toBe(DROP);
    expect(result.status?.details).toMatch(/route "no-such-route", which is not registered/);
  });
});

/** Runs a route interceptor's start over fresh metadata and returns what it set. */
function routeMetadata(interceptor: ReturnType<typeof createRouteInterceptor>): Metadata {
  const metadata = new Metadata();
  const next = () => ({ start: (m: Metadata) => metadata.merge(m) }) as never;
  const call = interceptor({ method_definition: {} } as never, next);
  call.start(new Metadata(), {} as never);
  return metadata;
}
