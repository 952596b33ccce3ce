import { InvalidArgumentError } from "@switchyard/api";

const KEY = /^[a-zA-Z0-9_-]+$/;

/** Consul's limits on service metadata (`structs.ValidateServiceMetadata`). */
export const META_LIMITS = Object.freeze({ pairs: 64, keyLength: 128, valueLength: 512 });

/**
 * Checks instance metadata against Consul's rules before it is sent, so the error names the key
 * and the fix instead of a 400 from the agent.
 * @throws InvalidArgumentError naming the first offending key.
 */
export function checkMetadata(metadata: Readonly<Record<string, string>>, who: string): void {
  const entries = Object.entries(metadata);
  const fail = (problem: string): never => {
    throw new InvalidArgumentError(`consul: ${who} has metadata Consul refuses: ${problem}`);
  };
  if (entries.length > META_LIMITS.pairs) {
    fail(`${entries.length} pairs, at most ${META_LIMITS.pairs} are allowed; move the rest elsewhere`);
  }
  for (const [key, value] of entries) {
    const shown = JSON.stringify(key);
    if (key === "") fail("an empty key; give it a name");
    if (!KEY.test(key)) fail(`key ${shown} may only hold letters, digits, "_" and "-"; rename it`);
    if (key.length > META_LIMITS.keyLength)
      fail(`key ${shown} is longer than ${META_LIMITS.keyLength} characters`);
    if (key.startsWith("consul-"))
      fail(`key ${shown} starts with "consul-", which Consul reserves; rename it`);
    if (typeof value !== "string") fail(`the value of ${shown} is a ${typeof value}, not a string`);
    if (value.length > META_LIMITS.valueLength) {
      fail(
        `the value of ${shown} is ${value.length} characters long, at most ${META_LIMITS.valueLength} are allowed`,
      );
    }
  }
}
