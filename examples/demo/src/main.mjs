// `pnpm demo`: routes simulated traffic through each balancer and prints, per balancer, the share
// of requests per instance, errors and latency percentiles. A fifth of the calls ask for version
// 2.0.0 only; mid-run one instance leaves and another joins. Exits 1 if routing broke.
import { NoAvailableNodeError } from "@switchyard/api";
import { p2c } from "@switchyard/balancer-p2c";
import { random } from "@switchyard/balancer-random";
import { wrr } from "@switchyard/balancer-wrr";
import { version } from "@switchyard/filter-version";
import { createFakeClock, seededRandom } from "@switchyard/testkit";
import { FLEET, LATE_JOINER, toNode } from "./fleet.mjs";

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const REQUESTS = Number(flag("requests", "6000"));
const ONLY = flag("balancer", "all");
const JSON_OUT = args.includes("--json");

const balancers = {
  wrr: (clock) => wrr({ clock }),
  p2c: (clock) => p2c({ clock, random: seededRandom(7) }),
  random: (clock) => random({ clock, random: seededRandom(7) }),
};

function percentile(sorted, p) {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function run(name) {
  const clock = createFakeClock();
  const rand = seededRandom(11);
  const selector = balancers[name](clock).build();
  let fleet = [...FLEET];
  selector.apply(fleet.map(toNode));
  const byAddress = new Map([...FLEET, LATE_JOINER].map((i) => [i.address, i]));
  const stats = new Map([...byAddress.keys()].map((a) => [a, { requests: 0, errors: 0 }]));
  const latencies = [];
  const onlyV2 = version("2.0.0");
  let misrouted = 0;
  for (let i = 0; i < REQUESTS; i++) {
    if (i === Math.floor(REQUESTS / 2)) {
      fleet = [...fleet.filter((f) => f.address !== "10.0.0.2:8000"), LATE_JOINER];
      selector.apply(fleet.map(toNode));
    }
    const wantsV2 = i % 5 === 0;
    let picked;
    try {
      picked = selector.select(wantsV2 ? { filters: [onlyV2] } : undefined);
    } catch (error) {
      if (error instanceof NoAvailableNodeError) misrouted++;
      else throw error;
      continue;
    }
    const instance = byAddress.get(picked.node.address);
    if (wantsV2 && instance.version !== "2.0.0") misrouted++;
    const failed = rand() < instance.errorRate;
    const latency = instance.latencyMs * (0.5 + rand());
    const s = stats.get(instance.address);
    s.requests++;
    if (failed) s.errors++;
    latencies.push(latency);
    clock.setTimeout(() => picked.done(failed ? { httpStatus: 503 } : { httpStatus: 200 }), latency);
    clock.advance(1); // 1,000 calls per virtual second
  }
  clock.advance(1000);
  latencies.sort((a, b) => a - b);
  return {
    balancer: name,
    instances: [...stats].map(([address, s]) => ({
      address,
      version: byAddress.get(address).version,
      note:
        byAddress.get(address).note ??
        (address === LATE_JOINER.address
          ? "joins mid-run"
          : address === "10.0.0.2:8000"
            ? "leaves mid-run"
            : ""),
      share: s.requests / REQUESTS,
      errors: s.errors,
    })),
    errors: [...stats.values()].reduce((sum, s) => sum + s.errors, 0),
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    misrouted,
  };
}

const names = ONLY === "all" ? Object.keys(balancers) : [ONLY];
if (names.some((n) => !(n in balancers))) {
  console.error(`demo: unknown balancer ${ONLY}; use wrr, p2c, random or all`);
  process.exit(2);
}
const results = names.map(run);
if (JSON_OUT) {
  console.log(JSON.stringify(results, null, 2));
} else {
  for (const r of results) {
    console.log(
      `\n${r.balancer}: ${REQUESTS} requests, ${r.errors} errors, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`,
    );
    console.log("  instance        version  share   errors  note");
    for (const i of r.instances) {
      console.log(
        `  ${i.address.padEnd(15)} ${i.version.padEnd(8)} ${(i.share * 100).toFixed(1).padStart(5)}%  ${String(i.errors).padStart(6)}  ${i.note}`,
      );
    }
  }
}
const broken = results.filter((r) => r.misrouted > 0);
if (broken.length > 0) {
  console.error(
    `demo: routing broke: ${broken.map((r) => `${r.balancer} misrouted ${r.misrouted}`).join(", ")}`,
  );
  process.exit(1);
}
