// Child process of bench/http: measures one entry point beside its plain-undici counterpart (see
// ../pairs/pair.mjs), the servers in a process of their own (run.mjs forks it), so this process's CPU
// time is the client's alone.
// argv: entry name, JSON of the servers' origins, slice ms, slices per side, calls for allocation.
import { processCpuUs } from "../pairs/measure.mjs";
import { measurePair, pairSettings } from "../pairs/pair.mjs";
import { ENTRIES } from "./entries.mjs";

const [name, originsJson, ...settings] = process.argv.slice(2);
const pair = await ENTRIES[name](JSON.parse(originsJson));
const result = await measurePair(pair, { ...pairSettings(settings), cpuUs: processCpuUs });
await pair.close();
process.send(result);
