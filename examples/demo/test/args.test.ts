import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseDemoArgs, USAGE, UsageError } from "../src/args.mjs";

const OUT = "/tmp/demo-out";
const parse = (...argv: string[]) => parseDemoArgs(argv, { out: OUT });
const main = fileURLToPath(new URL("../src/main.mjs", import.meta.url));
const demo = (...argv: string[]) => spawnSync(process.execPath, [main, ...argv], { encoding: "utf8" });

describe("the demo's command line", () => {
  it("runs every balancer over both transports on the embedded registry by default", () => {
    expect(parse()).toEqual({
      help: false,
      requests: 1500,
      concurrency: 16,
      rate: 500,
      balancers: ["wrr", "p2c", "random"],
      transports: ["http", "grpc"],
      registry: "memory",
      health: true,
      json: false,
      out: OUT,
    });
  });

  it("reads lists, numbers and flags, with or without a leading --", () => {
    const args = ["--balancer", "p2c,wrr", "--transport=grpc", "--requests", "40", "--rate=0"];
    args.push("--health", "off", "--json");
    for (const argv of [args, ["--", ...args]]) {
      expect(parseDemoArgs(argv, { out: OUT })).toMatchObject({
        balancers: ["p2c", "wrr"],
        transports: ["grpc"],
        requests: 40,
        rate: 0,
        health: false,
        json: true,
      });
    }
  });

  it("asks for help with --help and -h", () => {
    expect(parse("--help")).toEqual({ help: true });
    expect(parse("-h")).toEqual({ help: true });
  });

  it.each([
    [["--bogus"], /Unknown option '--bogus'/],
    [["--requests"], /--requests <value>' argument missing/],
    [["stray"], /Unexpected argument 'stray'/],
    [["--requests", "5"], /--requests must be an integer of at least 10, got "5"/],
    [["--requests", "1e3x"], /--requests must be an integer/],
    [["--concurrency", "0"], /--concurrency must be an integer of at least 1/],
    [["--rate=-5"], /--rate must be an integer of at least 0, got "-5"/],
    [["--balancer", "wrr,rr"], /unknown balancer "rr"; use wrr, p2c, random or all/],
    [["--transport", "udp"], /unknown transport "udp"; use http, grpc or all/],
    [["--registry", "etcd"], /unknown registry "etcd"; use memory or consul/],
    [["--health", "maybe"], /--health must be on or off, got "maybe"/],
  ])("refuses %j with a UsageError saying what to change", (argv, message) => {
    expect(() => parse(...argv)).toThrow(UsageError);
    expect(() => parse(...argv)).toThrow(message);
  });
});

describe("the demo's process", () => {
  it("prints the usage on stdout and exits 0 for --help", () => {
    const result = demo("--help");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(USAGE);
    expect(result.stderr).toBe("");
  });

  it("exits 2 with the problem and the usage on stderr, and no stack trace, for an unknown flag", () => {
    const result = demo("--bogus");
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(`demo: Unknown option '--bogus'\n\n${USAGE}`);
  });

  it("writes nothing but the JSON results on stdout with --json", () => {
    const result = demo("--json", "--requests", "20", "--balancer", "wrr", "--transport", "http");
    expect(result.status).toBe(0);
    const parsed = JSON.parse(result.stdout);
    expect(parsed).toMatchObject({
      health: true,
      broken: false,
      summaries: [{ balancer: "wrr", transport: "http", flaky: { id: "i6", twin: { id: "i4" } } }],
    });
    const [run] = parsed.summaries;
    for (const field of ["p50", "p95", "p99", "mean"]) expect(run[field]).toBeGreaterThan(0);
    expect(run.timeline.windows.length).toBeGreaterThan(0);
    expect(run.events.map((e: { id: string; kind: string }) => `${e.id} ${e.kind}`)).toEqual(
      expect.arrayContaining(["i5 slow", "i6 fails", "i2 leaves", "i7 joins"]),
    );
  });
});
