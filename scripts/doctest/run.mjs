// Running one snippet program the way a user would (node, or vitest for a test file), and judging
// it: it must exit 0 by itself (or after its stop signal), within the time, with no stack trace on
// stderr.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const RUN_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 300;
const STOP_TIMEOUT_MS = 10_000;

/** Runs one program; resolves to undefined when it behaved, else what went wrong. */
export function runProgram(program, env) {
  const command = program.vitest
    ? [join(program.folder, "node_modules/vitest/vitest.mjs"), "run", "--root", program.folder, program.file]
    : [program.file.replace(/\.ts$/, ".js")];
  if (program.vitest && !existsSync(command[0]))
    return Promise.resolve("a vitest snippet, but its README does not install vitest");
  return new Promise((resolve) => {
    const child = spawn(process.execPath, command, {
      cwd: program.folder,
      env: { ...env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let stderr = "";
    let verdict;
    let signalled = false;
    let timer = setTimeout(() => {
      verdict = program.stop
        ? `wrote nothing to stdout within ${RUN_TIMEOUT_MS / 1000} s, so it was never sent ${program.stop}`
        : `still running after ${RUN_TIMEOUT_MS / 1000} s`;
      child.kill("SIGKILL");
    }, RUN_TIMEOUT_MS);
    child.stdout.on("data", (chunk) => {
      output += chunk;
      if (program.stop === undefined || signalled) return;
      signalled = true;
      clearTimeout(timer);
      // A grace period, so that the code after the print (such as the signal handler a snippet
      // installs just after it) has run when the signal lands.
      timer = setTimeout(() => {
        child.kill(program.stop);
        timer = setTimeout(() => {
          verdict = `still running ${STOP_TIMEOUT_MS / 1000} s after ${program.stop}`;
          child.kill("SIGKILL");
        }, STOP_TIMEOUT_MS);
      }, STOP_GRACE_MS);
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
      stderr += chunk;
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (verdict === undefined && (code !== 0 || signal !== null)) {
        verdict = `exited with ${signal ?? `code ${code}`}`;
      }
      if (verdict === undefined && !program.vitest && /^\s+at .+:\d+:\d+\)?$/m.test(stderr)) {
        verdict = "printed a stack trace on stderr";
      }
      const tail = output.trimEnd().split("\n").slice(-15).join("\n    ");
      resolve(verdict === undefined ? undefined : `${verdict}; its output:\n    ${tail || "(none)"}`);
    });
  });
}
