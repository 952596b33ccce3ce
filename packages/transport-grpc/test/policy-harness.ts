import { connectivityState, experimental, Metadata } from "@grpc/grpc-js";
import { wrr } from "@switchyard/balancer-wrr";
import { createFakeClock, type FakeClock } from "@switchyard/testkit";
import { expect } from "vitest";
import { createChannelOptions } from "../src/index.js";
import type { SwitchyardChannelOptions } from "../src/options.js";
import { SwitchyardLoadBalancer } from "../src/policy/balancer.js";
import { SwitchyardPolicyConfig } from "../src/policy/policy-config.js";
import { endpoints, FakeHelper } from "./fake-channel.js";
import { type SpySelector, spySelector } from "./spy.js";

export const { READY, CONNECTING, IDLE, TRANSIENT_FAILURE } = connectivityState;
export const { COMPLETE, TRANSIENT_FAILURE: PICK_FAILED, DROP, QUEUE } = experimental.PickResultType;
export const A = "10.0.0.1:9000";
export const B = "10.0.0.2:9000";
export const C = "10.0.0.3:9000";

/** The Switchyard policy over fake subchannels, with a spy selector (wrr) and a fake clock. */
export interface PolicyHarness {
  readonly helper: FakeHelper;
  readonly policy: SwitchyardLoadBalancer;
  readonly spy: SpySelector;
  readonly clock: FakeClock;
  /**
   * Gives the policy `addresses` (or endpoints, such as the discovery resolver's), with channel
   * options from createChannelOptions plus `extra`.
   */
  start(
    options?: Partial<SwitchyardChannelOptions>,
    extra?: Record<string, unknown>,
    ...addresses: (string | experimental.Endpoint)[]
  ): void;
  /** Picks with the last published picker (method SayHello). */
  pick(metadata?: Metadata): experimental.PickResult;
}

export function policyHarness(): PolicyHarness {
  const helper = new FakeHelper();
  const policy = new SwitchyardLoadBalancer(helper);
  const spy = spySelector(wrr());
  const clock = createFakeClock();
  const config = new SwitchyardPolicyConfig();
  return {
    helper,
    policy,
    spy,
    clock,
    start(options = {}, extra = {}, ...addresses) {
      const built = createChannelOptions({ target: "helloworld:9000", selector: spy, clock, ...options });
      policy.updateAddressList(endpoints(...addresses), config, { ...built.options, ...extra }, "test");
    },
    pick(metadata = new Metadata()) {
      return helper.last.picker.pick({
        metadata,
        extraPickInfo: { "switchyard.method": "/helloworld.Greeter/SayHello" },
      });
    },
  };
}

/** The address of a COMPLETE pick's subchannel. */
export function pickedAddress(result: experimental.PickResult): string {
  expect(result.pickResultType).toBe(COMPLETE);
  return result.subchannel!.getAddress();
}
