// Child process of bench/grpc: measures one entry point beside grpc-js round_robin (see
// ../pairs/pair.mjs), with the three servers in a worker thread of this process: the main thread's
// CPU time is the client's alone (grpc-js, our code, the HTTP/2 session).
// argv: entry name, slice ms, slices per side, calls for allocation.
import { Worker } from "node:worker_threads";
import { threadCpuUs } from "../pairs/measure.mjs";
import { measurePair, pairSettings } from "../pairs/pair.mjs";
import { ENTRIES } from "./entries.mjs";

const [name, ...settings] = process.argv.slice(2);
const servers = new Worker(new URL("./servers.mjs", import.meta.url), { workerData: { count: 3 } });
const ports = await new Promise((resolve) => servers.once("message", resolve));
const pair = await ENTRIES[name](ports.map((port) => `127.0.0.1:${port}`));
const result = await measurePair(pair, { ...pairSettings(settings), cpuUs: threadCpuUs });
await pair.close();
servers.postMessage("stop");
process.send(result);
process.disconnect();
