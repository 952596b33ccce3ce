// A real DNS server for the tests: Debian's dnsmasq, run as an ordinary process on a free loopback
// port (127.0.0.1 and ::1, UDP and TCP), authoritative for the `test.` domain (unknown names there
// are NXDOMAIN), with no upstream, no /etc/hosts and no system configuration.
//
// dnsmasq re-reads its hosts files on SIGHUP but not its command line, so A/AAAA records live in an
// addn-hosts file (changed in place: rewrite, SIGHUP, wait for dnsmasq to log that it read it) and
// SRV records and the TTL on the command line (changed by a restart on the same port).
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/** One SRV record of {@link DnsRecords}. */
export interface SrvRecord {
  readonly name: string;
  readonly target: string;
  readonly port: number;
  readonly priority?: number;
  readonly weight?: number;
}

/** The zone dnsmasq serves. */
export interface DnsRecords {
  readonly srv?: readonly SrvRecord[];
  /** A and AAAA records: name → addresses, either family. */
  readonly hosts?: Readonly<Record<string, readonly string[]>>;
  /** The TTL of every record, seconds (`--local-ttl`). Default 0. */
  readonly ttl?: number;
}

export interface Dnsmasq {
  readonly port: number;
  /** `127.0.0.1:<port>`. */
  readonly server: string;
  /** `[::1]:<port>`. */
  readonly server6: string;
  /** Replaces the A/AAAA records; resolves once dnsmasq has read them (no restart). */
  setHosts(hosts: DnsRecords["hosts"]): Promise<void>;
  /** Replaces the whole zone; SRV and TTL changes restart dnsmasq on the same port. */
  setRecords(records: DnsRecords): Promise<void>;
  /** Every query dnsmasq logged so far, as `<type> <name>` (`SRV _http._tcp.api.test`). */
  queries(): string[];
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;

function findDnsmasq(): string {
  const fromEnv = process.env.DNSMASQ_BIN;
  const dirs = (process.env.PATH ?? "").split(delimiter).concat("/usr/sbin", "/sbin");
  for (const candidate of fromEnv ? [fromEnv] : dirs.map((dir) => join(dir, "dnsmasq"))) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(
    "registry-dns tests need Debian's dnsmasq and found none on PATH or in /usr/sbin: install it with " +
      "`apt-get install dnsmasq-base` (scripts/setup.sh does), or point DNSMASQ_BIN at the binary",
  );
}

/** A loopback port free for TCP at the time of asking (dnsmasq takes UDP and TCP). */
function freePort(): Promise<number> {
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

function hostsFile(hosts: DnsRecords["hosts"]): string {
  const lines = Object.entries(hosts ?? {}).flatMap(([name, addresses]) =>
    addresses.map((address) => `${address} ${name}`),
  );
  return `${lines.join("\n")}\n`;
}

/**
 * Starts dnsmasq serving `records`; stop it in an afterAll or a cleanup. A port taken by someone
 * else between asking and binding is retried on another.
 */
export async function startDnsmasq(records: DnsRecords = {}): Promise<Dnsmasq> {
  const bin = findDnsmasq();
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(bin, records);
    } catch (error) {
      if (attempt >= 3 || !/Address already in use/.test(String(error))) throw error;
    }
  }
}

async function launch(bin: string, records: DnsRecords): Promise<Dnsmasq> {
  const dir = await mkdtemp(join(tmpdir(), "switchyard-dnsmasq-"));
  await chmod(dir, 0o755); // dnsmasq run as root reads the file as an unprivileged user
  const hosts = join(dir, "hosts");
  await writeFile(hosts, hostsFile(records.hosts));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let log = "";
  const logged: string[] = [];
  let readsSeen = 0;
  let onRead: (() => void) | undefined;

  const args = (zone: DnsRecords): string[] => [
    "--keep-in-foreground",
    `--port=${port}`,
    "--listen-address=127.0.0.1",
    "--listen-address=::1",
    "--bind-interfaces",
    "--conf-file=/dev/null",
    "--no-resolv",
    "--no-hosts",
    "--pid-file=",
    "--log-facility=-",
    "--log-queries",
    "--local=/test/",
    `--addn-hosts=${hosts}`,
    `--local-ttl=${zone.ttl ?? 0}`,
    ...(zone.srv ?? []).map(
      (r) => `--srv-host=${r.name},${r.target},${r.port},${r.priority ?? 0},${r.weight ?? 0}`,
    ),
  ];

  /** Resolves on the next "read <hosts file>" line: dnsmasq serves the file's records from then on. */
  const nextRead = (): Promise<void> => {
    const seen = readsSeen;
    return new Promise<void>((resolve) => {
      onRead = () => {
        if (readsSeen > seen) resolve();
      };
    });
  };

  const start = (zone: DnsRecords): Promise<void> => {
    const proc = spawn(bin, args(zone), { stdio: ["ignore", "pipe", "pipe"] });
    child = proc;
    running.add(proc);
    proc.once("exit", () => running.delete(proc));
    const onData = (chunk: Buffer): void => {
      log += chunk.toString();
      let newline = log.indexOf("\n");
      while (newline >= 0) {
        const line = log.slice(0, newline);
        log = log.slice(newline + 1);
        const query = / query\[(\w+)\] (\S+) from /.exec(line);
        if (query !== null) logged.push(`${query[1]} ${query[2]}`);
        if (line.includes(` read ${hosts} `)) {
          readsSeen++;
          onRead?.();
        }
        newline = log.indexOf("\n");
      }
    };
    proc.stdout?.on("data", onData);
    proc.stderr?.on("data", onData);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(`did not start within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
      const fail = (why: string): void => {
        clearTimeout(timer);
        proc.kill("SIGKILL");
        reject(new Error(`dnsmasq on port ${port} ${why}; its output ends with:\n${log.slice(-2000)}`));
      };
      const onExit = (code: number | null): void => fail(`exited with ${code} while starting`);
      proc.once("exit", onExit);
      proc.once("error", (error) => fail(`could not run ${bin} (${error.message})`));
      nextRead().then(() => {
        clearTimeout(timer);
        proc.removeListener("exit", onExit);
        resolve();
      });
    });
  };

  const kill = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    proc.kill("SIGKILL");
    await exited;
  };

  try {
    await start(records);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  // One change at a time: two restarts at once would race for the port.
  let changes = Promise.resolve();
  const serially = (change: () => Promise<void>): Promise<void> => {
    const done = changes.then(change);
    changes = done.catch(() => {});
    return done;
  };
  return {
    port,
    server: `127.0.0.1:${port}`,
    server6: `[::1]:${port}`,
    setHosts: (next) =>
      serially(async () => {
        await writeFile(hosts, hostsFile(next));
        const read = nextRead();
        child?.kill("SIGHUP");
        await read;
      }),
    setRecords: (next) =>
      serially(async () => {
        await writeFile(hosts, hostsFile(next.hosts));
        await kill();
        await start(next);
      }),
    queries: () => [...logged],
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
