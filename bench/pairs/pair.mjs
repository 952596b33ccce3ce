// One pair measured in the process of its own the bench forks for it (so the JIT's feedback is the
// pair's alone, as in an application that uses one entry point). After a warm-up of both sides,
// the sides take turns in short slices, in the order A B B A A B …, so that drift in the machine's
// load falls on both alike; each two neighbouring slices give one ratio, and the run's ratio is the
// median of those (a burst of other work spoils a slice or two, not the run). Then the allocation
// of each side.
import { allocPerCall, cpuSlice } from "./measure.mjs";

const SIDES = ["plain", "ours"];

/** The order of the sides in turn `i`: plain first on even turns, ours first on odd ones. */
const turn = (i) => (i % 2 === 0 ? SIDES : ["ours", "plain"]);

/**
 * Measures `pair` (`{ plain, ours }`, each `{ label, call }`): `{ ratio, plain, ours }`, the ratio
 * being the plain side's CPU per call over ours (above 1: ours costs less), each side with its
 * label, CPU per call (µs), calls per second and bytes per call.
 */
export async function measurePair(pair, { sliceMs, slices, allocCalls, cpuUs }) {
  for (let i = 0; i < 2; i++) for (const key of SIDES) await cpuSlice(pair[key].call, sliceMs, cpuUs); // connections, JIT
  const totals = { plain: { calls: 0, cpuUs: 0, wallMs: 0 }, ours: { calls: 0, cpuUs: 0, wallMs: 0 } };
  const ratios = [];
  for (let i = 0; i < slices; i++) {
    const perCall = {};
    for (const key of turn(i)) {
      const r = await cpuSlice(pair[key].call, sliceMs, cpuUs);
      totals[key].calls += r.calls;
      totals[key].cpuUs += r.cpuUs;
      totals[key].wallMs += r.wallMs;
      perCall[key] = r.cpuUs / r.calls;
    }
    ratios.push(perCall.plain / perCall.ours);
  }
  ratios.sort((a, b) => a - b);
  const alloc = { plain: [], ours: [] };
  for (let i = 0; i < 2; i++) {
    for (const key of turn(i)) alloc[key].push(await allocPerCall(pair[key].call, allocCalls));
  }
  const result = { ratio: ratios[ratios.length >> 1] };
  for (const key of SIDES) {
    const t = totals[key];
    result[key] = {
      label: pair[key].label,
      cpuUs: t.cpuUs / t.calls,
      rate: (t.calls / t.wallMs) * 1000,
      bytes: Math.min(...alloc[key]),
    };
  }
  return result;
}

/** The settings a pair's process gets from the bench, after its own arguments. */
export function pairSettings(argv) {
  const [sliceMs, slices, allocCalls] = argv.map(Number);
  return { sliceMs, slices, allocCalls };
}
