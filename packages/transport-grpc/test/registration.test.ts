import { experimental } from "@grpc/grpc-js";
import { expect, it } from "vitest";
import * as transport from "../src/index.js";

// One file, one process: grpc-js is fresh here, so what is registered is what this file did.
it("registers nothing on import, and registers the resolver and policy once when asked", () => {
  expect(transport.POLICY_NAME).toBe("switchyard");
  expect(experimental.isLoadBalancerNameRegistered("switchyard")).toBe(false);
  transport.registerSwitchyard();
  transport.registerSwitchyard();
  expect(experimental.isLoadBalancerNameRegistered("switchyard")).toBe(true);
});
