import { inspect } from "node:util";
import { RegistryError } from "@switchyard/api";
import { afterEach, describe, expect, it } from "vitest";
import { createEtcdRegistry, type EtcdRegistry } from "../src/index.js";
import { type EchoServer, startEchoServer } from "./echo-server.js";
import { recordingLogger } from "./helpers.js";

const PASSWORD = "pw-7c1e94d2b05a";
// etcd's simple tokens look like this: 16 random letters, a dot, an index.
const TOKEN = "QwErTyUiOpAsDfGh.17";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function echoing(options: { refuse?: boolean } = {}): Promise<EchoServer> {
  const server = await startEchoServer(TOKEN, options);
  cleanups.push(() => server.stop());
  return server;
}

function registry(endpoint: string, logger = recordingLogger()): EtcdRegistry {
  const created = createEtcdRegistry({
    endpoints: endpoint,
    auth: { username: "svc", password: PASSWORD },
    logger,
    requestTimeoutMs: 3000,
    backoff: { initialMs: 50, maxMs: 200 },
  });
  cleanups.push(() => created.close());
  return created;
}

/** Everything an error shows, cause and stack included. */
const shown = (value: unknown): string =>
  inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true });

/** Neither secret is there, nor any 8 characters of one in a row. */
function expectNoSecret(text: string): void {
  for (const secret of [PASSWORD, TOKEN]) {
    expect(text).not.toContain(secret);
    for (let i = 0; i + 8 <= secret.length; i++) expect(text).not.toContain(secret.slice(i, i + 8));
  }
}

describe("the etcd password and auth token never leak", { timeout: 20_000 }, () => {
  it("keeps the password out of the error and the log lines when etcd echoes it in a refused login", async () => {
    const server = await echoing({ refuse: true });
    const logger = recordingLogger();
    const reg = registry(server.endpoint, logger);
    const error = await reg.getService("api").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toMatch(/no user may log in with password \[redacted\]/);
    expectNoSecret(shown(error));
    const watcher = reg.watch("api");
    await logger.waitFor(/etcd: reading "api" failed/, 10_000);
    await watcher.stop();
    expectNoSecret(logger.lines.join("\n"));
    expect(server.passwords).toContain(PASSWORD); // it was sent all the same
  });

  it("keeps the auth token and the password out of the error and the log lines when etcd echoes them", async () => {
    const server = await echoing();
    const logger = recordingLogger();
    const reg = registry(server.endpoint, logger);
    const error = await reg.getService("api").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toMatch(/token \[redacted\] of the user with password \[redacted\]/);
    expectNoSecret(shown(error));
    const watcher = reg.watch("api");
    await logger.waitFor(/etcd: reading "api" failed/, 10_000);
    await watcher.stop();
    expectNoSecret(logger.lines.join("\n"));
  });

  it("keeps them out of what console.log and JSON.stringify show of the registry and its watchers", async () => {
    const server = await echoing();
    const reg = registry(server.endpoint);
    await reg.getService("api").catch(() => {}); // logged in: the client now holds the token
    const watcher = reg.watch("api");
    for (const text of [shown(reg), JSON.stringify(reg), shown(watcher), shown({ reg, watcher })]) {
      expectNoSecret(text);
    }
    expect(shown(reg)).toContain(server.endpoint);
    await watcher.stop();
  });
});
