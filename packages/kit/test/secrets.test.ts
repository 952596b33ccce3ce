import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { REDACTED, SecretSet } from "../src/index.js";

const TOKEN = "b1946ac9-2f0e-4c5e-9e2b-6d3f8a7c0d11";

function secrets(...values: string[]): SecretSet {
  const set = new SecretSet();
  for (const value of values) set.add(value);
  return set;
}

describe("SecretSet", () => {
  it("replaces a secret as given, JSON-escaped and URL-encoded", () => {
    const set = secrets('p@ss "word"/1');
    const text = `raw p@ss "word"/1, json ${JSON.stringify('p@ss "word"/1')}, url ${encodeURIComponent('p@ss "word"/1')}`;
    const cleaned = set.redact(text);
    expect(cleaned).toBe(`raw ${REDACTED}, json "${REDACTED}", url ${REDACTED}`);
    expect(set.has(text)).toBe(true);
    expect(set.has(cleaned)).toBe(false);
  });

  it("replaces the longer of two overlapping secrets whole", () => {
    expect(secrets("abc", "abcdef").redact("x abcdef y abc")).toBe(`x ${REDACTED} y ${REDACTED}`);
  });

  it("cleans each long line of a PEM key on its own, so a partial echo is caught too", () => {
    const pem =
      "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n";
    const set = new SecretSet();
    set.add(Buffer.from(pem));
    expect(set.redact("bad key near MIIEvQIBADANBgkqhkiG9w0BAQEFAASC")).toBe(`bad key near ${REDACTED}`);
  });

  it("ignores empty and missing secrets", () => {
    const set = new SecretSet();
    set.add("");
    set.add(undefined);
    expect(set.redact("nothing to hide")).toBe("nothing to hide");
  });

  it("returns an error without secrets as it is, and a cleaned copy of one that holds any", () => {
    const set = secrets(TOKEN);
    const plain = new Error("connection refused");
    expect(set.scrub(plain)).toBe(plain);

    const inner = Object.assign(new Error(`token ${TOKEN} refused`), { code: 16, details: `bad ${TOKEN}` });
    const outer = new Error("call failed", { cause: inner });
    const scrubbed = set.scrub(outer) as Error & { cause: Error & { code: number; details: string } };
    expect(scrubbed).not.toBe(outer);
    expect(scrubbed.message).toBe("call failed");
    expect(scrubbed.cause.message).toBe(`token ${REDACTED} refused`);
    expect(scrubbed.cause.details).toBe(`bad ${REDACTED}`);
    expect(scrubbed.cause.code).toBe(16);
    expect(inspect(scrubbed, { depth: Number.POSITIVE_INFINITY })).not.toContain(TOKEN.slice(0, 8));
    expect(set.scrub(`thrown ${TOKEN}`)).toBe(`thrown ${REDACTED}`);
  });

  it("shows none of its secrets when inspected or serialized", () => {
    const holder = { secrets: secrets(TOKEN) };
    expect(inspect(holder, { depth: Number.POSITIVE_INFINITY, showHidden: true })).not.toContain(TOKEN);
    expect(JSON.stringify(holder)).not.toContain(TOKEN);
  });
});
