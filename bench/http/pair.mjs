// Child process: measures one entry point beside its plain-undici counterpart, in one process of its
// own (so the JIT's feedback is the pair's alone, as in an application that uses one entry point).
// After a warm-up of both sides, the sides take turns in short slices, in the order A B B A A B …,
// so that drift in the machine's load falls on both alike; each two neighbouring slices give one
// ratio, and the run's ratio is the median of those (a burst of other work on the machine spoils a
// slice or two, not the run). Then the allocation of each side.
// argv: entry name, JSON of the servers' origins, slice ms, slices per side, calls for allocation.
import { ENTRIES } from "./entries.mjs";
import { allocPerCall, cpuSlice } from "./measure.mjs";

const [name, originsJson, sliceArg, slicesArg, allocArg] = process.argv.slice(2);
const sliceMs = Number(sliceArg);
const slices = Number(slicesArg);
const allocCalls = Number(allocArg);

const pair = await ENTRIES[name](JSON.parse(originsJson));
const sides = { plain: pair.plain, ours: pair.ours };
for (let i = 0; i < 2; i++) for (const side of Object.values(sides)) await cpuSlice(side.call, sliceMs); // connections, JIT
const totals = { plain: { calls: 0, cpuUs: 0, wallMs: 0 }, ours: { calls: 0, cpuUs: 0, wallMs: 0 } };
const ratios = [];
for (let i = 0; i < slices; i++) {
  const perCall = {};
  for (const key of i % 2 === 0 ? ["plain", "ours"] : ["ours", "plain"]) {
    const r = await cpuSlice(sides[key].call, sliceMs);
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
  for (const key of i % 2 === 0 ? ["plain", "ours"] : ["ours", "plain"]) {
    alloc[key].push(await allocPerCall(sides[key].call, allocCalls));
  }
}
const result = { ratio: ratios[ratios.length >> 1] };
for (const key of ["plain", "ours"]) {
  const t = totals[key];
  result[key] = {
    label: sides[key].label,
    cpuUs: t.cpuUs / t.calls,
    rate: (t.calls / t.wallMs) * 1000,
    bytes: Math.min(...alloc[key]),
  };
}
await pair.close();
process.send(result);
