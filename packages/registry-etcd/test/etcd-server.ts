// A real etcd (Debian's etcd-server package) for the tests: one per test file, on free loopback
// ports, with a temporary data directory, stopped and removed afterwards.
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { Etcd3 } from "etcd3";
import { afterAll, afterEach, beforeAll } from "vitest";

export interface EtcdServer {
  /** The client URL, `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly port: number;
  /** A client of its own, for test setup: bad data, compaction, the current revision. */
  readonly admin: Etcd3;
  /** Kills etcd (SIGKILL, as a crash) and waits until the process is gone. */
  kill(): Promise<void>;
  /** Starts etcd again on the same port and data directory; resolves once it serves clients. */
  start(): Promise<void>;
  /** Deletes the data directory of a killed etcd, so the next start is a brand-new cluster. */
  wipe(): Promise<void>;
  /** The store's current revision. */
  revision(): Promise<bigint>;
  /** Compacts the history up to `revision`, physically, as etcd's auto-compaction would. */
  compact(revision: bigint): Promise<void>;
  /** Kills etcd and removes its data directory. Idempotent. */
  stop(): Promise<void>;
}

const READY = "ready to serve client requests";
const START_TIMEOUT_MS = 20_000;

function findEtcd(): string {
  const fromEnv = process.env.ETCD_BIN;
  const candidates = fromEnv
    ? [fromEnv]
    : (process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, "etcd"));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(
    "registry-etcd tests need a real etcd (v3.4+) and found no `etcd` on PATH: install it with " +
      "`apt-get install etcd-server` (CI does this in .ci/run), or point ETCD_BIN at the binary",
  );
}

/** A loopback port nothing listens on (at the time of asking). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** What {@link startEtcd} takes. */
export interface EtcdServerOptions {
  /** `https` serves clients over TLS (pass the certificate flags in `args`). Default `http`. */
  readonly scheme?: "http" | "https";
  /** More command-line flags. */
  readonly args?: readonly string[];
}

/**
 * Starts a single-member etcd cluster on free loopback ports with a fresh data directory. A port
 * taken by someone else between asking and binding is retried on other ports.
 */
export async function startEtcd(options: EtcdServerOptions = {}): Promise<EtcdServer> {
  const bin = findEtcd();
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(bin, options);
    } catch (error) {
      if (attempt >= 3 || !/address already in use/.test(String(error))) throw error;
    }
  }
}

async function launch(bin: string, options: EtcdServerOptions): Promise<EtcdServer> {
  const [port, peerPort] = [await freePort(), await freePort()];
  const dataDir = await mkdtemp(join(tmpdir(), "switchyard-etcd-"));
  const endpoint = `${options.scheme ?? "http"}://127.0.0.1:${port}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const args = [
    ...["--name", "default", "--data-dir", dataDir],
    ...["--listen-client-urls", endpoint, "--advertise-client-urls", endpoint],
    ...["--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer],
    ...["--initial-cluster", `default=${peer}`, "--initial-cluster-state", "new"],
    ...(options.args ?? []),
  ];
  let child: ChildProcess | undefined;
  let output = "";

  const start = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const proc = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
      child = proc;
      running.add(proc);
      output = "";
      const timer = setTimeout(
        () => fail(`did not become ready within ${START_TIMEOUT_MS} ms`),
        START_TIMEOUT_MS,
      );
      const fail = (why: string) => {
        clearTimeout(timer);
        proc.kill("SIGKILL");
        reject(new Error(`etcd on ${endpoint} ${why}; its output ends with:\n${output.slice(-3000)}`));
      };
      const onData = (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-20_000);
        if (output.includes(READY)) {
          clearTimeout(timer);
          proc.removeListener("exit", onExit);
          resolve();
        }
      };
      const onExit = (code: number | null) => fail(`exited with ${code} while starting`);
      proc.stdout?.on("data", onData);
      proc.stderr?.on("data", onData);
      proc.once("exit", onExit);
      proc.once("exit", () => running.delete(proc));
    });

  const kill = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    proc.kill("SIGKILL");
    await exited;
  };

  try {
    await start();
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const admin = new Etcd3({ hosts: endpoint });
  let stopped = false;
  return {
    endpoint,
    port,
    admin,
    kill,
    start,
    async wipe() {
      if (child !== undefined) throw new Error("kill etcd before wiping its data");
      await rm(dataDir, { recursive: true, force: true });
    },
    async revision() {
      const response = await admin.kv.range({ key: Buffer.from("\0") });
      return BigInt(response.header.revision);
    },
    async compact(revision) {
      await admin.kv.compact({ revision: revision.toString(), physical: true });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      admin.close();
      await kill();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Cleanups a test registers; they run after it, newest first. */
export type Cleanup = () => Promise<void> | void;

/**
 * Registers the hooks of a test file that shares one etcd: started before the file's tests,
 * stopped after them, with the cleanups each test pushed run after it, newest first. `etcd` reads
 * through to the server once it has started.
 */
export function useEtcd(options: EtcdServerOptions = {}): { etcd: EtcdServer; cleanups: Cleanup[] } {
  let server: EtcdServer | undefined;
  const cleanups: Cleanup[] = [];
  beforeAll(async () => {
    server = await startEtcd(options);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(() => server?.stop());
  const etcd = new Proxy({} as EtcdServer, {
    get(_, key) {
      if (server === undefined) throw new Error("useEtcd: etcd is read before beforeAll started it");
      const value = Reflect.get(server, key);
      return typeof value === "function" ? value.bind(server) : value;
    },
  });
  return { etcd, cleanups };
}
