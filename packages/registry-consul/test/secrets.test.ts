import { inspect } from "node:util";
import type { Logger } from "@switchyard/api";
import type { ConsulFault } from "@switchyard/testkit/consul";
import { afterEach, describe, expect, it, vi } from "vitest";
import { instance, type Rig, startRig, until } from "./helpers.js";

const TOKEN = "3f9c2b7e-51aa-4d0e-b8c4-0e6a9d12f7b3";
const KEY =
  "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n";

let rig: Rig;

afterEach(async () => {
  vi.restoreAllMocks();
  await rig?.close();
});

/** Everything an error or a log line shows, cause and stack included. */
const shown = (value: unknown): string =>
  inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true });

/** The token is not there, and neither is any 8 characters of it in a row (what a cut would keep). */
function expectNoToken(text: string): void {
  expect(text).not.toContain(TOKEN);
  for (let i = 0; i + 8 <= TOKEN.length; i++) expect(text).not.toContain(TOKEN.slice(i, i + 8));
  expect(text).not.toContain("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC");
}

/** A registry on the double that sends TOKEN, and every log line it wrote. */
function registryWithToken(logger?: Logger) {
  const lines: string[] = [];
  const registry = rig.registry({
    token: TOKEN,
    tls: { key: KEY },
    logger: logger ?? { warn: (message, details) => lines.push(shown([message, details])) },
  });
  return { registry, lines };
}

// An agent, or a proxy in front of it, that echoes the token back where the registry quotes it.
const echoes: Array<[string, ConsulFault]> = [
  ["in the X-Consul-Index header", { kind: "reply", body: "[]", headers: { "X-Consul-Index": TOKEN } }],
  // The old excerpt was cut at 200 characters before the token was looked for: 10 of them stayed.
  [
    "in a 403 body, across the excerpt's cut",
    { kind: "status", status: 403, body: `${"a".repeat(190)}${TOKEN}` },
  ],
  ["in a 500 body", { kind: "status", status: 500, body: `rpc error: token ${TOKEN} expired` }],
  // The JSON parser's message quotes the first 10 characters of the body.
  ["at the start of a body that is not JSON", { kind: "reply", body: `x${TOKEN} is not JSON` }],
  ["in a 2xx body that is not a list", { kind: "reply", body: JSON.stringify({ token: TOKEN }) }],
];

describe("the ACL token and the TLS key never leak", () => {
  it.each(echoes)(
    "keeps them out of a getService error when the reply echoes the token %s",
    async (_, fault) => {
      rig = await startRig();
      rig.double.injectFault(fault);
      const { registry } = registryWithToken();
      const error = await registry.getService("api").catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "REGISTRY_ERROR" });
      expectNoToken(shown(error));
      expect(rig.double.requests[0]?.headers["x-consul-token"]).toBe(TOKEN); // it was sent all the same
    },
  );

  it.each(echoes)(
    "keeps them out of the log lines and onError of a watch when the reply echoes the token %s",
    async (_, fault) => {
      rig = await startRig();
      rig.double.injectFault(fault, { path: "/v1/health/service/" });
      const { registry, lines } = registryWithToken();
      await registry.register(instance(1));
      const watcher = registry.watch("api");
      const first = watcher.next();
      await until(() => rig.errors.length > 0, "a reported error");
      await rig.clock.advanceAsync(1000); // the retry after backoff
      expect((await first).map((i) => i.id)).toEqual(["api-1"]);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expectNoToken(line);
      for (const { error } of rig.errors) expectNoToken(shown(error));
    },
  );

  it("keeps them out of what console.log and JSON.stringify show of the registry and its watchers", async () => {
    rig = await startRig();
    const { registry } = registryWithToken();
    const watcher = registry.watch("api");
    for (const text of [
      shown(registry),
      JSON.stringify(registry),
      shown(watcher),
      shown({ registry, watcher }),
    ]) {
      expectNoToken(text);
      expect(text).not.toContain("BEGIN PRIVATE KEY");
    }
    expect(shown(registry)).toContain(rig.double.url);
    await watcher.stop();
  });

  it("keeps a watch going when the logger throws, sending the cleaned report to process.emitWarning", async () => {
    rig = await startRig();
    rig.double.injectFault(echoes[1]![1], { path: "/v1/health/service/" });
    const emitted = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const broken: Logger = {
      warn() {
        throw new Error("log sink is full");
      },
    };
    const { registry } = registryWithToken(broken);
    await registry.register(instance(1));
    const first = registry.watch("api").next();
    await until(() => rig.errors.length > 0, "a reported error");
    await rig.clock.advanceAsync(1000);
    expect((await first).map((i) => i.id)).toEqual(["api-1"]);
    expect(emitted).toHaveBeenCalled();
    const [message] = emitted.mock.calls[0]! as [string];
    expect(message).toMatch(/403.*log sink is full/);
    expectNoToken(shown(emitted.mock.calls));
  });
});
