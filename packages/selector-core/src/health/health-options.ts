import { InvalidArgumentError } from "@switchyard/api";
import { describeValue } from "../node-fields.js";

/**
 * The thresholds and times of a selector's health layer (`health: { … }` on `wrr()`, `p2c()`,
 * `random()` and `createSelectorBuilder`). Every field is optional; the defaults are
 * {@link DEFAULT_HEALTH}, each argued there. 0 turns off what a field drives: a run-of-failures
 * detector, both interval detectors (`intervalMs`), the failure percentage (`maxFailureRate`), the
 * success rate (`successRateStdevFactor`), the stall detector (`stallMs`), probation, slow start or
 * pushback (`maxPushbackMs`).
 */
export interface HealthOptions {
  /** Failures in a row (of any kind) that eject a node. */
  readonly consecutiveFailures?: number;
  /** Connection-level failures in a row (refused, reset, unreachable) that eject a node. */
  readonly consecutiveConnectionFailures?: number;
  /** How often the success-rate and failure-percentage detectors judge the nodes, ms. */
  readonly intervalMs?: number;
  /** Calls a node must have completed in an interval to be judged by those two detectors. */
  readonly minRequests?: number;
  /** Nodes with `minRequests` calls an interval needs before the success-rate detector judges any. */
  readonly successRateMinHosts?: number;
  /** The success-rate detector ejects a node below the fleet's mean − this × its standard deviation. */
  readonly successRateStdevFactor?: number;
  /** …and at least this far below the mean (a share: 0.1 is ten points). */
  readonly successRateMinGap?: number;
  /** The failure-percentage detector ejects a node failing at least this share of its calls. */
  readonly maxFailureRate?: number;
  /**
   * How often the stall detector looks, ms: a node with calls in flight that completed none since
   * its last look, while the fleet's calls completed many times what it holds, is ejected.
   */
  readonly stallMs?: number;
  /**
   * The first ejection of a node lasts this long, ms; then one call goes to it (a probe): a success
   * brings it back, a failure keeps it out as long again. Each further ejection (a failure on
   * probation, or later) lasts twice the previous one.
   */
  readonly baseEjectionMs?: number;
  /** No ejection lasts longer than this, ms. */
  readonly maxEjectionMs?: number;
  /** A node back from an ejection is on probation for this many calls: a failure among them ejects it again. */
  readonly probationCalls?: number;
  /**
   * A node that joins the list, or comes back from an ejection, ramps its weight up from a tenth
   * to all of it over this long, ms (Envoy's slow start); 0: it gets its full share at once. Nodes
   * that arrive within a second of the first list, or as most of a new list, do not ramp.
   */
  readonly slowStartMs?: number;
  /** The most nodes out at once, as a share of the list (at least one node may always go). */
  readonly maxEjectedShare?: number;
  /** The longest a `Retry-After` or `grpc-retry-pushback-ms` holds a node out, ms. */
  readonly maxPushbackMs?: number;
}

/** {@link HealthOptions} with every field set. */
export type HealthSettings = { readonly [K in keyof HealthOptions]-?: number };

/**
 * The defaults, chosen with the simulator (`bench/sim`, whose README has the runs; "calls/s" below
 * are its 2,800 calls/s over ten nodes):
 *
 * - `consecutiveConnectionFailures: 3`: a refused or reset connection is unambiguous (the node is
 *   not there); three in a row eject within milliseconds at any real load, and a node whose one
 *   process of four crashed (a quarter refused) trips it about three times a second.
 * - `consecutiveFailures: 7`: any failure. Envoy's `consecutive_5xx` is 5, but with 10% of every
 *   node's calls failing (nothing to steer away from) five in a row came every 10 s at this load,
 *   each a needless ejection (random's p99 rose from 1.23× to 1.35× the oracle's); seven in a row
 *   come once an hour, and a node failing every call is out two calls later.
 * - `intervalMs: 1000`: a node failing a quarter of its calls for 20 s must be out within about 4 s
 *   in all to cost a fifth of round robin's errors; Envoy's 10 s would miss that alone.
 * - `minRequests: 20`, `successRateMinHosts: 5`, `successRateStdevFactor: 1.9` (Envoy's and gRPC
 *   A50's factor): nine nodes at 100% and one at 75% put the threshold at 83%.
 * - `successRateMinGap: 0.1`: the deviation alone ejects the noisiest node of a fleet where every
 *   node fails alike (10% each: nothing to eject); a node must also be ten points under the mean.
 * - `maxFailureRate: 0.5`: half of its calls failing ejects a node whatever the fleet does (fleets
 *   too small or too sick for the success rate), well above the noise of a 10% error rate.
 * - `stallMs: 250`: a node that hangs is found by its calls not coming back, not by their deadline:
 *   with a 1 s deadline, waiting for the failures cost a hanging node's full share for a second
 *   (0.10× round robin's errors, the limit); looking every 250 ms costs 0.03×.
 * - `baseEjectionMs: 1000`, `maxEjectionMs: 20_000`: ejections of 1, 2, 4, 8, 16, 20 s as a node
 *   keeps coming back and failing, each probed at its end and again every as long while the probes
 *   fail. Capped so that a node that recovered is back within 20 s and carries 60% of its share
 *   within 30 s (ramp included); a node down for a while after one ejection is back within a
 *   second of its recovery (half its share 5 s later, the ramp), for one failed probe a second.
 * - `probationCalls: 5`: a node failing a quarter of its calls fails one of its first five three
 *   times in four, and goes back out at once, for twice as long.
 * - `slowStartMs: 10_000`: a node that joins cold (5× slower at first, warming over seconds) gets
 *   no more than it can serve; without it, wrr and random sent it a tenth of the calls at once and
 *   their p99 was the 1 s deadline. Within 10 s, the share of a node back from an outage still
 *   reaches 60% well within 30 s. See `SLOW_START_MAX_HELD_BACK` for many nodes ramping at once.
 * - `maxEjectedShare: 0.5`: wrr and random cannot tell load, so ejecting most of a fleet can
 *   overload the rest; half keeps a zone outage of six nodes in ten at one dead candidate in five
 *   for them (20% of calls failing instead of 60%), and ejecting beyond it did not help when the
 *   whole fleet was overloaded. p2c uses a tenth (`P2C_MAX_EJECTED_SHARE` of its package): it
 *   draws again past failing nodes instead.
 * - `maxPushbackMs: 20_000`: a server's pushback is honoured up to the longest ejection.
 */
export const DEFAULT_HEALTH: HealthSettings = Object.freeze({
  consecutiveFailures: 7,
  consecutiveConnectionFailures: 3,
  intervalMs: 1000,
  minRequests: 20,
  successRateMinHosts: 5,
  successRateStdevFactor: 1.9,
  successRateMinGap: 0.1,
  maxFailureRate: 0.5,
  stallMs: 250,
  baseEjectionMs: 1000,
  maxEjectionMs: 20_000,
  probationCalls: 5,
  slowStartMs: 10_000,
  maxEjectedShare: 0.5,
  maxPushbackMs: 20_000,
});

const COUNTS = new Set([
  "consecutiveFailures",
  "consecutiveConnectionFailures",
  "minRequests",
  "successRateMinHosts",
  "probationCalls",
]);
const SHARES = new Set(["successRateMinGap", "maxFailureRate", "maxEjectedShare"]);

/**
 * The settings of `options` over the defaults.
 * @throws InvalidArgumentError, starting with `where`, on an unknown field or a value out of range
 * (counts: integers ≥ 0; times and factors: finite numbers ≥ 0; shares: from 0 to 1).
 */
export function healthSettings(options: HealthOptions | undefined, where: string): HealthSettings {
  if (options === undefined) return DEFAULT_HEALTH;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError(
      `${where}: health must be false or an object of health options, got ${describeValue(options)}`,
    );
  }
  const settings: Record<string, number> = { ...DEFAULT_HEALTH };
  for (const [key, value] of Object.entries(options)) {
    if (!Object.hasOwn(DEFAULT_HEALTH, key)) {
      throw new InvalidArgumentError(
        `${where}: health.${key} is not a health option; known: ${Object.keys(DEFAULT_HEALTH).join(", ")}`,
      );
    }
    if (value === undefined) continue;
    const expected = COUNTS.has(key)
      ? "an integer ≥ 0"
      : SHARES.has(key)
        ? "a number from 0 to 1"
        : "a finite number ≥ 0";
    const ok =
      typeof value === "number" &&
      Number.isFinite(value) &&
      value >= 0 &&
      (!COUNTS.has(key) || Number.isInteger(value)) &&
      (!SHARES.has(key) || value <= 1);
    if (!ok) {
      throw new InvalidArgumentError(
        `${where}: health.${key} must be ${expected}, got ${describeValue(value)}`,
      );
    }
    settings[key] = value;
  }
  if (settings.maxEjectionMs! < settings.baseEjectionMs!) {
    throw new InvalidArgumentError(
      `${where}: health.maxEjectionMs (${settings.maxEjectionMs}) must be at least health.baseEjectionMs ` +
        `(${settings.baseEjectionMs})`,
    );
  }
  return Object.freeze(settings) as HealthSettings;
}
