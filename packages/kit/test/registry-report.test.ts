import { RegistryError } from "@switchyard/api";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  cleanRegistryError,
  REDACTED,
  reportRegistryError,
  reportSkipped,
  SecretSet,
  toRegistryError,
  WARNING_CODE,
} from "../src/index.js";

afterEach(() => {
  vi.restoreAllMocks();
});

interface Context {
  readonly operation: string;
  readonly serviceName: string;
  readonly retryInMs?: number;
}

const TOKEN = "s3cr3t-token-value";

function settingsWith(onError?: (error: RegistryError, context: Context) => void) {
  const secrets = new SecretSet();
  secrets.add(TOKEN);
  const warn = vi.fn();
  return { warn, settings: { logger: { warn }, secrets, onError } };
}

describe("cleanRegistryError and toRegistryError", () => {
  it("keep an error without secrets as it is", () => {
    const { settings } = settingsWith();
    const error = new RegistryError("consul: agent said 500", { status: 500 });
    expect(cleanRegistryError(settings.secrets, error)).toBe(error);
    expect(toRegistryError("consul", settings.secrets, error, "watching")).toBe(error);
  });

  it("copy an error that holds a secret, with message and cause cleaned, status and retryable kept", () => {
    const { settings } = settingsWith();
    const error = new RegistryError(`consul: token ${TOKEN} refused`, {
      status: 403,
      retryable: false,
      cause: new Error(`echo ${TOKEN}`),
    });
    const cleaned = cleanRegistryError(settings.secrets, error);
    expect(cleaned).toBeInstanceOf(RegistryError);
    expect(cleaned.message).toBe(`consul: token ${REDACTED} refused`);
    expect(cleaned.status).toBe(403);
    expect(cleaned.retryable).toBe(false);
    expect((cleaned.cause as Error).message).toBe(`echo ${REDACTED}`);
  });

  it("wrap anything else as a retryable RegistryError naming the component and the work", () => {
    const { settings } = settingsWith();
    const cause = new Error(`socket hang up near ${TOKEN}`);
    const wrapped = toRegistryError("kubernetes", settings.secrets, cause, 'watching "api"');
    expect(wrapped).toBeInstanceOf(RegistryError);
    expect(wrapped.message).toBe(`kubernetes: watching "api" failed: socket hang up near ${REDACTED}`);
    expect(wrapped.retryable).toBe(true);
    expect((wrapped.cause as Error).message).toBe(`socket hang up near ${REDACTED}`);
    expect(toRegistryError("kubernetes", settings.secrets, "plain text", "listing").message).toBe(
      "kubernetes: listing failed: plain text",
    );
  });
});

describe("reportRegistryError", () => {
  it("tells the logger (with the retry delay) and onError, both cleaned of secrets", () => {
    const onError = vi.fn();
    const { settings, warn } = settingsWith(onError);
    const context = { operation: "watch", serviceName: "api", retryInMs: 1600.4 };
    reportRegistryError(
      "consul",
      settings,
      new RegistryError(`consul: ${TOKEN} refused`, { status: 403 }),
      context,
    );
    expect(warn).toHaveBeenCalledWith(`consul: ${REDACTED} refused; retrying in 1600 ms`, {
      ...context,
      status: 403,
    });
    expect(onError).toHaveBeenCalledTimes(1);
    const [given, givenContext] = onError.mock.calls[0]!;
    expect((given as RegistryError).message).toBe(`consul: ${REDACTED} refused`);
    expect(givenContext).toBe(context);
  });

  it("logs an onError that throws instead of propagating it", () => {
    const { settings, warn } = settingsWith(() => {
      throw new Error(`handler broke on ${TOKEN}`);
    });
    const report = () =>
      reportRegistryError("kubernetes", settings, new RegistryError("kubernetes: gone"), {
        operation: "watch",
        serviceName: "api",
      });
    expect(report).not.toThrow();
    expect(warn).toHaveBeenCalledTimes(2);
    const [message, details] = warn.mock.calls[1]!;
    expect(message).toBe("kubernetes: onError threw; the error it was given is logged above");
    expect((details.error as Error).message).toBe(`handler broke on ${REDACTED}`);
  });

  it("survives a logger that throws, through process.emitWarning", () => {
    const emitted = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const secrets = new SecretSet();
    const logger = {
      warn() {
        throw new Error("disk full");
      },
    };
    const settings = {
      logger,
      secrets,
      onError: undefined as ((error: RegistryError, c: Context) => void) | undefined,
    };
    const context: Context = { operation: "watch", serviceName: "api" };
    expect(() =>
      reportRegistryError("dns", settings, new RegistryError("dns: no answer"), context),
    ).not.toThrow();
    expect(emitted).toHaveBeenCalledTimes(1);
    expect(emitted.mock.calls[0]![1]).toMatchObject({ code: WARNING_CODE });
  });
});

describe("reportSkipped", () => {
  it("reports each skipped entry as a RegistryError that is not retryable", () => {
    const onError = vi.fn();
    const { settings, warn } = settingsWith(onError);
    const context = { operation: "getService", serviceName: "api" };
    reportSkipped("consul", settings, ["entry #0 has no address", "entry #2 has no port"], context);
    expect(warn.mock.calls.map(([message]) => message)).toEqual([
      "consul: entry #0 has no address",
      "consul: entry #2 has no port",
    ]);
    for (const [error] of onError.mock.calls) {
      expect(error).toBeInstanceOf(RegistryError);
      expect((error as RegistryError).retryable).toBe(false);
    }
  });

  it("passes over the entries already reported", () => {
    const { settings, warn } = settingsWith();
    const known = new Set(["pod a has no port"]);
    reportSkipped(
      "kubernetes",
      settings,
      ["pod a has no port", "pod b has no port"],
      {
        operation: "watch",
        serviceName: "api",
      },
      known,
    );
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toBe("kubernetes: pod b has no port");
  });
});
