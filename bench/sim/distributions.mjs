// Service-time distributions, each given as a function of uniform draws so that every balancer of a
// scenario sees the same workload (common random numbers: the draws belong to the call, not to the
// node it lands on). All have the requested mean.

/**
 * A service-time distribution: `{ kind: "constant" | "exponential" | "lognormal" | "bimodal", mean }`
 * plus `sigma` (log-normal, default 0.5) or `slowShare` and `slowFactor` (bimodal: that share of
 * calls takes `slowFactor` times as long as the rest; defaults 0.1 and 10).
 * @typedef {{ kind: string, mean: number, sigma?: number, slowShare?: number, slowFactor?: number }} Dist
 */

/** A sampler `(u1, u2) => ms` for `dist`, u1 and u2 uniform in [0, 1). */
export function sampler(dist) {
  const mean = dist.mean;
  if (!(mean > 0)) throw new Error(`sim: a distribution needs a mean > 0, got ${mean}`);
  switch (dist.kind) {
    case "constant":
      return () => mean;
    case "exponential":
      return (u1) => -mean * Math.log(1 - u1);
    case "lognormal": {
      // mean = exp(mu + sigma²/2); Box–Muller turns two uniforms into one standard normal.
      const sigma = dist.sigma ?? 0.5;
      const mu = Math.log(mean) - (sigma * sigma) / 2;
      return (u1, u2) => Math.exp(mu + sigma * Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2));
    }
    case "bimodal": {
      // Two modes, each spread ±20% uniformly; fast × ((1 − p) + p × k) = mean.
      const p = dist.slowShare ?? 0.1;
      const k = dist.slowFactor ?? 10;
      const fast = mean / (1 - p + p * k);
      return (u1, u2) => (u1 < p ? fast * k : fast) * (0.8 + 0.4 * u2);
    }
    default:
      throw new Error(`sim: unknown distribution ${JSON.stringify(dist.kind)}`);
  }
}

/** A short label for tables: "log-normal 10 ms (σ 0.5)". */
export function describeDist(dist) {
  switch (dist.kind) {
    case "constant":
      return `constant ${dist.mean} ms`;
    case "exponential":
      return `exponential, mean ${dist.mean} ms`;
    case "lognormal":
      return `log-normal, mean ${dist.mean} ms, σ ${dist.sigma ?? 0.5}`;
    case "bimodal":
      return `bimodal, mean ${dist.mean} ms (${(dist.slowShare ?? 0.1) * 100}% of calls ${dist.slowFactor ?? 10}× slower)`;
    default:
      return dist.kind;
  }
}

/**
 * A Zipf law over keys 0 … count − 1: key k is drawn with probability ∝ 1 / (k + 1)^exponent (key 0
 * the hottest). Returns a function that draws one key from `random`.
 */
export function zipf(count, exponent, random) {
  const cdf = new Float64Array(count);
  let sum = 0;
  for (let k = 0; k < count; k++) cdf[k] = sum += 1 / (k + 1) ** exponent;
  for (let k = 0; k < count; k++) cdf[k] /= sum;
  return () => {
    const u = random();
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}
