// For everyone: the ready selector builder.
export { p2c } from "./p2c.js";
export type { P2cOptions } from "./p2c.js";

// For balancer authors and custom selectors.
export {
  FORCE_PICK_GAP_MS,
  MAX_REDRAWS,
  P2C_MAX_EJECTED_SHARE,
  P2C_NAME,
  P2cBalancer,
  p2cBalancerBuilder,
} from "./p2c.js";
