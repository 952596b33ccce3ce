// The cost functions of the ewma node: how its averages become a weight, and how far one completion
// moves the success average. Both read the same statistics (latency and success averages decayed by
// time, calls in flight + 1, the in-flight prediction).

/** Decay constant of the moving averages, ms: an old value keeps exp(-Δt/τ) of its weight. */
export const EWMA_TAU_MS = 600;
/** Load of a node with no latency sample yet, per call in flight (Kratos: 100 µs in ns). */
export const EWMA_PENALTY = 1e5;
/** Kratos adds this to the latency before its square root, in ns (5 ms: evens out zones). */
const KRATOS_OFFSET_NS = 5e6;

/** The cost functions `ewma()` and `p2c()` accept as `cost`. */
export type EwmaCostName = "kratos" | "linear";

/** How an ewma node turns its averages into a weight (higher is better). */
export interface EwmaCost {
  readonly name: EwmaCostName;
  /**
   * The most the old success average keeps of itself at a completion. The averages keep
   * exp(-Δt/τ); below 1, this cap makes every completion count, however close to the previous one.
   */
  readonly successKeepMax: number;
  /**
   * The idle decay: while a node has nothing in flight and its success average is at least this
   * (per mille), the latency its weight is computed from fades towards zero with the time since its
   * last completion (× exp(-t/τ)), so a stale sample does not outlive its meaning. Infinity: never,
   * the weight uses the latency average as the last completion left it, however old.
   */
  readonly idleDecayMinSuccess: number;
  /**
   * Whether a failed call that came back faster than the latency average pulls the average down
   * like any sample. `false`: a failure's latency counts only when it is slower (a call that hangs
   * to its deadline), so a node answering 503 or 429 in a millisecond does not look fast.
   */
  readonly fastFailuresLowerLatency: boolean;
  /** Weight from the success average (per mille), the latency (ms) and the calls in flight + 1. */
  weight(success: number, latencyMs: number, inflight: number): number;
  /** Weight of a node that has no latency sample yet. */
  unsampled(success: number, inflight: number): number;
}

/**
 * Kratos's cost, exactly: weight = success × 1e9 / (⌊√(latency in ns + 5 ms)⌋ × in flight), both
 * averages decayed by time alone, at completions only, every completion's latency a sample (a fast
 * failure too). The square root damps latency differences,
 * and time-only decay lets a burst of fast failures barely move the success average. It keeps
 * Kratos's stale comparison too: an idle node is weighed by the latency its last call left, however
 * long ago (no idle decay), so under one-at-a-time traffic a node that lost its draws waits for the
 * 3 s probe, as it does in Go services.
 */
export const KRATOS_COST: EwmaCost = {
  name: "kratos",
  successKeepMax: 1,
  idleDecayMinSuccess: Number.POSITIVE_INFINITY,
  fastFailuresLowerLatency: true,
  weight: (success, latencyMs, inflight) =>
    (success * 1e9) / (Math.trunc(Math.sqrt(latencyMs * 1e6 + KRATOS_OFFSET_NS)) * inflight),
  unsampled: (success, inflight) => (success * 1e9) / (EWMA_PENALTY * inflight),
};

/** In the linear cost, a completion always moves the success average by at least this share. */
export const LINEAR_MIN_SAMPLE_WEIGHT = 0.1;
/** The linear cost adds this to the latency, ms (Kratos's 5 ms: evens out zones, damps tiny latencies). */
export const LINEAR_OFFSET_MS = 5;
/** The linear cost prices a node with no latency sample yet as if its calls took this long, ms. */
export const LINEAR_PENALTY_MS = 1000;
/**
 * In the linear cost, the latency of an idle node fades while its success average is at least this,
 * per mille (95%): a failing node comes back through p2c's probe alone, as with Kratos's cost.
 */
export const LINEAR_IDLE_DECAY_MIN_SUCCESS = 950;

/**
 * The linear cost: weight = (success / 1000)⁴ × 1e6 / ((latency + 5 ms) × in flight), the expected
 * wait of one more call (Finagle's and Linkerd's latency × (pending + 1)) divided by the fourth power
 * of the success rate. Averages decay by time as in Kratos, except that a completion always moves
 * the success average by at least a tenth: a burst of failures (a crashed node refusing connections
 * in microseconds) drops the weight within a handful of calls, while a node idle for a while is
 * still judged by its next call alone. A node failing 20% of its calls keeps about 0.8⁴ ≈ 41% of a
 * healthy node's weight. (The latency average keeps Kratos's time-only decay: a cap there made it
 * noisier and spread load worse near saturation in the simulator.) A failure that came back faster
 * than the latency average leaves the average where it was: a node shedding calls with a 503 or
 * 429 in a millisecond does not look faster for it (linkerd2-proxy #4537 found the same flaw in
 * peak EWMA).
 *
 * Idle decay: the weight of a node with nothing in flight is computed from its latency average
 * × exp(-t/τ), t being the time since its last completion, as long as its success average is at
 * least {@link LINEAR_IDLE_DECAY_MIN_SUCCESS}. Without it, a node that lost its draws kept the
 * sample of its last call for as long as it kept losing: under one-at-a-time traffic, where every
 * node is idle when the draw happens, one slow first call (a connection set-up) or one unlucky
 * sample left a healthy node with about one call per 3 s probe. Now such a node wins a draw again
 * once its stale latency has faded below its peers' (within about τ × ln(ratio)), and its next
 * call replaces the stale value as the averages always did.
 */
export const LINEAR_COST: EwmaCost = {
  name: "linear",
  successKeepMax: 1 - LINEAR_MIN_SAMPLE_WEIGHT,
  idleDecayMinSuccess: LINEAR_IDLE_DECAY_MIN_SUCCESS,
  fastFailuresLowerLatency: false,
  weight: (success, latencyMs, inflight) => {
    const rate = success / 1000;
    const squared = rate * rate;
    return (squared * squared * 1e6) / ((latencyMs + LINEAR_OFFSET_MS) * inflight);
  },
  unsampled: (success, inflight) => {
    const rate = success / 1000;
    const squared = rate * rate;
    return (squared * squared * 1e6) / (LINEAR_PENALTY_MS * inflight);
  },
};

/** The cost of a name; undefined for an unknown one. */
export function ewmaCost(name: EwmaCostName): EwmaCost | undefined {
  if (name === "kratos") return KRATOS_COST;
  if (name === "linear") return LINEAR_COST;
  return undefined;
}
