import type { experimental } from "@grpc/grpc-js";
import { POLICY_NAME } from "../channel/names.js";

/** The (empty) config of the Switchyard policy in a service config: `{ "switchyard": {} }`. */
export class SwitchyardPolicyConfig implements experimental.TypedLoadBalancingConfig {
  getLoadBalancerName(): string {
    return POLICY_NAME;
  }
  toJsonObject(): object {
    return { [POLICY_NAME]: {} };
  }
  static createFromJson(_json: unknown): SwitchyardPolicyConfig {
    return new SwitchyardPolicyConfig();
  }
}
