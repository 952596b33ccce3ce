// Child process: measures one entry point beside grpc-js round_robin, in one process of its own (so
// the JIT's feedback is the pair's alone, as in an application that uses one entry point), with the
// three servers in a worker thread of this process. After a warm-up of both sides, the sides take
// turns in short slices, in the order A B B A A B …, so that drift in the machine's load falls on
// both alike; each two neighbouring slices give one ratio, and the run's ratio is the median of
// those (a burst of other work spoils a slice or two, not the run). Then the allocation of each side.
// argv: entry name, slice ms, slices per side, calls for allocation.
import { Worker } from "node:worker_threads";
import { ENTRIES } from "./entries.mjs";
import { allocPerCall, cpuSlice } from "./measure.mjs";

const [name, sliceArg, slicesArg, allocArg] = process.argv.slice(2);
const sliceMs = Number(sliceArg);
const slices = Number(slicesArg);
const allocCalls = Number(allocArg);

const servers = new Worker(new URL("./servers.mjs", import.meta.url), { workerData: { count: 3 } });
const ports = await new Promise((resolve) => servers.once("message", resolve));
const pair = await ENTRIES[name](ports.map((port) => `127.0.0.1:${port}`));
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
servers.postMessage("stop");
process.send(result);
process.disconnect();
