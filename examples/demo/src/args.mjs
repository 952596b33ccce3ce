// The demo's command line: its flags, their checks and the usage text. `parseDemoArgs` never
// exits and never prints; main.mjs decides (usage on stdout and exit 0 for --help, the problem
// and the usage on stderr and exit 2 for anything it cannot use).
import { parseArgs } from "node:util";

export const BALANCER_NAMES = ["wrr", "p2c", "random"];
export const TRANSPORT_NAMES = ["http", "grpc"];
export const REGISTRY_NAMES = ["memory", "consul"];
export const HEALTH_NAMES = ["on", "off"];

export const USAGE = `Usage: pnpm demo [options]    (node examples/demo/src/main.mjs [options] once built)

Starts a helloworld fleet on loopback, sends the same traffic through each balancer over each
transport, prints a table per run and writes an HTML report. Exits 1 if routing broke.

Options:
  --requests <n>       calls per run, an integer of at least 10 (default 1500)
  --concurrency <n>    calls in flight, an integer of at least 1 (default 16)
  --rate <n>           calls started per second, an integer, 0 for as fast as they go (default
                       500: a run of 1500 calls lasts 3 s, long enough for endpoint health to act)
  --balancer <list>    wrr, p2c, random, comma-separated, or all (default all)
  --transport <list>   http, grpc, comma-separated, or all (default all)
  --registry <name>    memory (embedded), or consul: the agent at CONSUL_HTTP_ADDR, else a local
                       double of its HTTP API (default memory)
  --health <on|off>    endpoint health in every balancer; off routes as Kratos does (default on)
  --json               print only the results, as JSON on stdout (pnpm --silent demo --json | jq)
  --out <dir>          where the HTML report goes (default examples/demo/out)
  -h, --help           print this and exit
`;

/** A command line the demo cannot run with; the message says what to change. */
export class UsageError extends Error {
  constructor(message) {
    super(message);
    this.name = "UsageError";
  }
}

function list(flag, value, names) {
  const items = value === "all" ? names : value.split(",").map((item) => item.trim());
  for (const item of items) {
    if (!names.includes(item)) {
      throw new UsageError(`unknown ${flag} "${item}"; use ${names.join(", ")} or all`);
    }
  }
  return items;
}

function integer(flag, value, min) {
  const number = Number(value);
  if (value.trim() === "" || !Number.isInteger(number) || number < min) {
    throw new UsageError(`--${flag} must be an integer of at least ${min}, got "${value}"`);
  }
  return number;
}

/**
 * Reads the demo's arguments (`process.argv.slice(2)`). Returns `{ help: true }` for -h/--help,
 * else `{ help: false, requests, concurrency, rate, balancers, transports, registry, health, json,
 * out }`
 * (`health` a boolean).
 * @throws UsageError for an unknown flag, a missing value, a stray argument or a value out of range.
 */
export function parseDemoArgs(argv, { out }) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv[0] === "--" ? argv.slice(1) : argv,
      options: {
        requests: { type: "string", default: "1500" },
        concurrency: { type: "string", default: "16" },
        rate: { type: "string", default: "500" },
        balancer: { type: "string", default: "all" },
        registry: { type: "string", default: "memory" },
        health: { type: "string", default: "on" },
        transport: { type: "string", default: "all" },
        json: { type: "boolean", default: false },
        out: { type: "string", default: out },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    // node:util's messages ("Unknown option '--x'. To specify a positional argument …"): the first
    // sentence says it.
    if (typeof error?.code === "string" && error.code.startsWith("ERR_PARSE_ARGS_")) {
      throw new UsageError(String(error.message).split(". ")[0]);
    }
    throw error;
  }
  if (values.help) return { help: true };
  if (!REGISTRY_NAMES.includes(values.registry)) {
    throw new UsageError(`unknown registry "${values.registry}"; use ${REGISTRY_NAMES.join(" or ")}`);
  }
  if (!HEALTH_NAMES.includes(values.health)) {
    throw new UsageError(`--health must be on or off, got "${values.health}"`);
  }
  return {
    help: false,
    requests: integer("requests", values.requests, 10),
    concurrency: integer("concurrency", values.concurrency, 1),
    rate: integer("rate", values.rate, 0),
    balancers: list("balancer", values.balancer, BALANCER_NAMES),
    transports: list("transport", values.transport, TRANSPORT_NAMES),
    registry: values.registry,
    health: values.health === "on",
    json: values.json,
    out: values.out,
  };
}
