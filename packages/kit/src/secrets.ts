// Credentials a component holds (an ACL token, a password, an auth token it was given, a private
// key) must never reach an error, a log line or an inspected object, whatever a server or proxy
// echoes back. One set per component holds them out of sight and cleans text of them.
import { inspect } from "node:util";

/** What replaces a secret in cleaned text. */
export const REDACTED = "[redacted]";

/** Lines of a multi-line secret (a PEM key) at least this long are cleaned on their own too. */
const MIN_LINE = 16;
/** How deep `scrub` follows `cause`. */
const MAX_CAUSES = 5;

function formsOf(secret: string): string[] {
  const forms = [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)];
  if (secret.includes("\n")) {
    for (const line of secret.split(/\r?\n/)) if (line.trim().length >= MIN_LINE) forms.push(line.trim());
  }
  return forms;
}

/**
 * A set of secrets, kept in a private field (so `console.log` of anything holding the set shows
 * none of them), and the one way to clean text and errors of them: every form a reply may echo
 * (as given, JSON-escaped, URL-encoded, and each long line of a PEM) is replaced by
 * {@link REDACTED}. Clean before cutting an excerpt, or a cut may keep a prefix of a secret.
 */
export class SecretSet {
  readonly #forms: string[] = [];

  /** Adds a secret (a string, or a Buffer read as UTF-8); empty values and other types are ignored. */
  add(secret: string | Uint8Array | undefined | null): void {
    let text: string;
    if (typeof secret === "string") text = secret;
    else if (secret instanceof Uint8Array) text = Buffer.from(secret).toString("utf8");
    else return;
    if (text === "") return;
    for (const form of formsOf(text)) if (form !== "" && !this.#forms.includes(form)) this.#forms.push(form);
    this.#forms.sort((a, b) => b.length - a.length); // a secret inside a longer one goes after it
  }

  /** Whether `text` holds any secret. */
  has(text: string): boolean {
    return this.#forms.some((form) => text.includes(form));
  }

  /** `text` with every secret replaced by {@link REDACTED}. */
  redact(text: string): string {
    let result = text;
    for (const form of this.#forms) if (result.includes(form)) result = result.split(form).join(REDACTED);
    return result;
  }

  /**
   * `error` itself when no secret is in its message, stack, other string fields or causes;
   * otherwise an `Error` copy with the same name, `code` and cleaned text, and its cause scrubbed
   * in turn (fields that are not strings, such as gRPC metadata, are left out of the copy).
   */
  scrub(error: unknown): unknown {
    return this.scrubAt(error, 0);
  }

  [inspect.custom](): string {
    return `SecretSet { ${REDACTED} }`;
  }

  private scrubAt(error: unknown, depth: number): unknown {
    if (!this.mentions(error, depth)) return error;
    if (!(error instanceof Error)) return this.redact(error as string);
    const cause =
      depth < MAX_CAUSES && error.cause !== undefined ? this.scrubAt(error.cause, depth + 1) : undefined;
    const copy = new Error(this.redact(error.message), cause === undefined ? undefined : { cause });
    copy.name = error.name;
    copy.stack = this.redact(error.stack ?? "");
    for (const [key, value] of Object.entries(error)) {
      if (typeof value === "string" || typeof value === "number") {
        Object.defineProperty(copy, key, {
          value: typeof value === "string" ? this.redact(value) : value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
    }
    return copy;
  }

  private mentions(value: unknown, depth: number): boolean {
    if (typeof value === "string") return this.has(value);
    if (!(value instanceof Error)) return false;
    if (this.has(value.message) || this.has(value.stack ?? "")) return true;
    for (const field of Object.values(value)) if (typeof field === "string" && this.has(field)) return true;
    return depth < MAX_CAUSES && value.cause !== undefined && this.mentions(value.cause, depth + 1);
  }
}
