import { experimental, status } from "@grpc/grpc-js";
import type { FakeClock } from "@switchyard/testkit";
import { beforeEach, describe, expect, it } from "vitest";
import { createChannelOptions } from "../src/index.js";
import { SwitchyardPolicyConfig } from "../src/policy/policy-config.js";
import type { FakeHelper } from "./fake-channel.js";
import {
  A,
  B,
  C,
  CONNECTING,
  IDLE,
  PICK_FAILED,
  type PolicyHarness,
  pickedAddress,
  policyHarness,
  QUEUE,
  READY,
  TRANSIENT_FAILURE,
} from "./policy-harness.js";
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

describe("the Switchyard policy: subchannels and states (fake subchannels)", () => {
  it("connects every address and publishes CONNECTING until a subchannel is READY", () => {
    start({}, {}, A, B);
    expect([...helper.subchannels.values()].map((s) => [s.connects, s.refs])).toEqual([
      [1, 1],
      [1, 1],
    ]);
    expect(helper.last.state).toBe(CONNECTING);
    expect(pick().pickResultType).toBe(QUEUE);
  });

  it("offers only READY subchannels to the selector, rebuilding the list when a state changes", () => {
    start({}, {}, A, B, C);
    helper.at(B).set(READY);
    expect(helper.last.state).toBe(READY);
    expect(spy.applied.at(-1)).toEqual([B]);
    expect([pick(), pick(), pick()].map(pickedAddress)).toEqual([B, B, B]);
    helper.at(C).set(READY);
    expect(spy.applied.at(-1)).toEqual([B, C]);
    expect(new Set([pick(), pick()].map(pickedAddress))).toEqual(new Set([B, C]));
    const applies = spy.applied.length;
    helper.at(A).set(TRANSIENT_FAILURE, "connect ECONNREFUSED");
    expect(spy.applied).toHaveLength(applies);
  });

  it("reports TRANSIENT_FAILURE with the last connection error when no subchannel connects", () => {
    start({}, {}, A, B);
    helper.at(A).set(TRANSIENT_FAILURE, "connect ECONNREFUSED 10.0.0.1:9000");
    expect(helper.last.state).toBe(CONNECTING);
    helper.at(B).set(TRANSIENT_FAILURE, "connect ECONNREFUSED 10.0.0.2:9000");
    expect(helper.last.state).toBe(TRANSIENT_FAILURE);
    const result = pick();
    expect(result.pickResultType).toBe(PICK_FAILED);
    expect(result.status?.code).toBe(status.UNAVAILABLE);
    expect(result.status?.details).toMatch(
      /no connection to any of the 2 address\(es\).*ECONNREFUSED 10.0.0.2/,
    );
  });

  it("reconnects a subchannel that goes IDLE and asks for re-resolution when a READY one drops", () => {
    start({}, {}, A, B);
    helper.at(A).set(READY);
    helper.at(B).set(READY);
    helper.at(A).set(IDLE);
    expect(helper.reresolutions).toBe(1);
    expect(helper.at(A).connects).toBe(2);
    expect(spy.applied.at(-1)).toEqual([B]);
  });

  it("releases the subchannels of addresses that leave and keeps the others", () => {
    start({}, {}, A, B);
    helper.at(A).set(READY);
    helper.at(B).set(READY);
    const a = helper.at(A);
    start({}, {}, B, C);
    expect(a.refs).toBe(0);
    expect(a.listeners.size).toBe(0);
    expect(helper.at(B).refs).toBe(1);
    expect(spy.applied.at(-1)).toEqual([B]);
    expect(pickedAddress(pick())).toBe(B);
  });

  it("gives the selector the version and metadata of the resolver's instances", () => {
    const update = updateOf([
      { id: "a", name: "helloworld", version: "2.0.0", metadata: { zone: "z1" }, endpoints: [`grpc://${A}`] },
    ]);
    start({}, {}, ...endpointsOf(update));
    helper.at(A).set(READY);
    expect(spy.nodes[0]).toMatchObject({ address: A, version: "2.0.0", metadata: { zone: "z1" } });
  });

  it("takes the new node of an address that stays, on the same subchannel", () => {
    const v1 = updateOf([
      { id: "a", name: "helloworld", version: "1.0.0", metadata: {}, endpoints: [`grpc://${A}`] },
    ]);
    const v2 = updateOf([
      { id: "a", name: "helloworld", version: "2.0.0", metadata: {}, endpoints: [`grpc://${A}`] },
    ]);
    start({}, {}, ...endpointsOf(v1));
    helper.at(A).set(READY);
    const subchannel = helper.at(A);
    start({}, {}, ...endpointsOf(v2));
    expect(spy.nodes[0]).toMatchObject({ address: A, version: "2.0.0" });
    expect(helper.at(A)).toBe(subchannel);
    expect([subchannel.refs, subchannel.connects]).toEqual([1, 1]);
  });

  it("reports a resolver error as TRANSIENT_FAILURE while it has no address, and stops after destroy", () => {
    const built = createChannelOptions({ target: "helloworld:9000", selector: spy, clock });
    const error = experimental.statusOrFromError<experimental.Endpoint[]>({
      code: status.UNAVAILABLE,
      details: "registry down",
    });
    h.policy.updateAddressList(error, new SwitchyardPolicyConfig(), built.options, "");
    expect(helper.last.state).toBe(TRANSIENT_FAILURE);
    expect(pick().status?.details).toBe("registry down");
    start({}, {}, A);
    h.policy.destroy();
    const published = helper.states.length;
    helper.at(A).set(READY);
    expect(helper.states).toHaveLength(published);
    expect(helper.at(A).refs).toBe(0);
  });
});
