// Runs test/fixtures/registrant.ts in a child process: bundled with esbuild (the workspace's
// devDependency) into a temporary CommonJS file, with etcd3 left external and found through
// NODE_PATH in this package's node_modules.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));

export interface Registrant {
  /** Kills the process with SIGKILL: no deregistration, no lease revocation. */
  crash(): Promise<void>;
}

/** Starts a process that registers `id` of `service` and resolves once it has registered. */
export async function startRegistrant(
  endpoint: string,
  namespace: string,
  service: string,
  id: string,
  ttlMs: number,
): Promise<Registrant> {
  const dir = await mkdtemp(join(tmpdir(), "switchyard-registrant-"));
  const outfile = join(dir, "registrant.cjs");
  await build({
    entryPoints: [join(here, "fixtures/registrant.ts")],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["etcd3"],
    outfile,
    logLevel: "error",
  });
  const env = { ...process.env, NODE_PATH: join(here, "../node_modules") };
  const child: ChildProcess = spawn(
    process.execPath,
    [outfile, endpoint, namespace, service, id, String(ttlMs)],
    {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const cleanup = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  let output = "";
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the registrant did not register within 15 s: ${output}`)),
        15_000,
      );
      child.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("registered")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the registrant exited with ${code} before registering: ${output}`));
      });
    });
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { crash: cleanup };
}
