import { InvalidArgumentError } from "@switchyard/api";
import { describe, expect, it } from "vitest";
import { createKubernetesDiscovery, type KubernetesDiscoveryOptions } from "../src/index.js";

const base: KubernetesDiscoveryOptions = { server: "http://127.0.0.1:1", env: {} };
const refused = (options: Record<string, unknown>): string => {
  try {
    createKubernetesDiscovery({ ...base, ...options } as KubernetesDiscoveryOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(options)}`);
};

describe("registry-kubernetes options", () => {
  it("refuses bad options when the discovery is created, naming the option", () => {
    expect(refused({ layout: "consul" })).toMatch(/^kubernetes: layout must be "endpointslices" or "kratos"/);
    expect(refused({ namespace: "Team_A" })).toMatch(
      /namespace "Team_A" is not a valid Kubernetes namespace/,
    );
    expect(refused({ pageSize: 0 })).toMatch(/pageSize must be an integer/);
    expect(refused({ server: "ftp://x" })).toMatch(/must use http or https/);
    expect(refused({ server: "not a url" })).toMatch(/is not a URL/);
    expect(refused({ defaultScheme: "HTTP://" })).toMatch(/defaultScheme must be a URL scheme/);
    expect(refused({ backoff: { jitter: 2 } })).toMatch(/^kubernetes: backoff\.jitter must be a fraction/);
    expect(refused({ clock: {} })).toMatch(/^kubernetes: clock must have now\(\)/);
    expect(refused({ logger: {} })).toMatch(/^kubernetes: logger must have a warn/);
    expect(refused({ watchTimeoutMs: 10 })).toMatch(
      /watchTimeoutMs must be a number of milliseconds from 1000/,
    );
    expect(refused({ onError: "log" })).toMatch(/onError must be a function/);
  });

  it("refuses a service name Kubernetes cannot hold, in watch() and getService()", async () => {
    const discovery = createKubernetesDiscovery(base);
    expect(() => discovery.watch("Api_1")).toThrow(InvalidArgumentError);
    await expect(discovery.getService("")).rejects.toBeInstanceOf(InvalidArgumentError);
    await discovery.close();
    expect(() => discovery.watch("api")).toThrow(/closed discovery/);
  });

  it("shows where it talks in console.log and JSON, never the token", () => {
    const discovery = createKubernetesDiscovery({ ...base, token: "secret-token-123", namespace: "apps" });
    const shown = JSON.stringify(discovery);
    expect(shown).toContain('"namespace":"apps"');
    expect(shown).not.toContain("secret-token-123");
  });
});
