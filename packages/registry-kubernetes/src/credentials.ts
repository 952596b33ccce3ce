import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { RegistryError } from "@switchyard/api";
import { errorMessage } from "@switchyard/kit";
import type { ExecConfig } from "./access.js";
import type { Settings } from "./settings.js";

/** A token file is re-read at most this often (and after every 401), as client-go does. */
export const TOKEN_FILE_TTL_MS = 60_000;
/** An exec credential is renewed this long before it expires. */
const EXPIRY_MARGIN_MS = 30_000;
/** How long an exec plugin may run. */
const EXEC_TIMEOUT_MS = 60_000;

interface Cached {
  readonly token: string;
  /** Clock time (token files) or wall-clock time (exec credentials) after which it is renewed. */
  readonly until: number;
}

/**
 * The bearer token of each request: a fixed token, a token file re-read every minute (the kubelet
 * rotates projected service-account tokens), or an exec credential plugin (client.authentication.k8s.io)
 * run again when its credential expires. After a 401, `invalidate()` makes the next request read
 * or run afresh. Every token seen joins the secrets that errors and logs are cleaned of.
 */
export class Credentials {
  private readonly settings: Settings;
  private cached: Cached | undefined = undefined;
  private pending: Promise<string> | undefined = undefined;

  constructor(settings: Settings) {
    this.settings = settings;
  }

  /** Whether a 401 may go away by reading the credentials again. */
  get renewable(): boolean {
    const { kind } = this.settings.access.auth;
    return kind === "tokenFile" || kind === "exec";
  }

  /** The `Authorization` header value, or undefined when the access has no token. */
  async header(): Promise<string | undefined> {
    const { auth } = this.settings.access;
    if (auth.kind === "none") return undefined;
    if (auth.kind === "token") return `Bearer ${auth.token}`;
    const now = auth.kind === "exec" ? Date.now() : this.settings.clock.now();
    if (this.cached !== undefined && now < this.cached.until) return `Bearer ${this.cached.token}`;
    this.pending ??= (auth.kind === "exec" ? this.runPlugin(auth.exec) : this.readFile(auth.path)).finally(
      () => {
        this.pending = undefined;
      },
    );
    return `Bearer ${await this.pending}`;
  }

  /** Forgets the cached token, after the API server refused it. */
  invalidate(): void {
    this.cached = undefined;
  }

  private async readFile(path: string): Promise<string> {
    let token: string;
    try {
      token = (await readFile(path, "utf8")).trim();
    } catch (cause) {
      throw new RegistryError(
        `kubernetes: cannot read the token file ${path} (${errorMessage(cause)}); check the path or the pod's service account`,
        {
          retryable: true,
        },
      );
    }
    if (token === "")
      throw new RegistryError(`kubernetes: the token file ${path} is empty`, { retryable: true });
    this.settings.secrets.add(token);
    this.cached = { token, until: this.settings.clock.now() + TOKEN_FILE_TTL_MS };
    return token;
  }

  private async runPlugin(exec: ExecConfig): Promise<string> {
    const info = JSON.stringify({
      apiVersion: exec.apiVersion,
      kind: "ExecCredential",
      spec: { interactive: false },
    });
    const { stdout, error, stderr } = await new Promise<{
      stdout: string;
      stderr: string;
      error: Error | null;
    }>((resolve) => {
      execFile(
        exec.command,
        [...exec.args],
        {
          cwd: exec.cwd,
          env: { ...process.env, ...exec.env, KUBERNETES_EXEC_INFO: info },
          timeout: EXEC_TIMEOUT_MS,
          maxBuffer: 1 << 20,
        },
        (err, out, errOut) => resolve({ stdout: String(out), stderr: String(errOut), error: err }),
      );
    });
    const { secrets } = this.settings;
    const name = `the exec credential plugin ${exec.command}`;
    if (error !== null) {
      const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
      const hint = missing ? ` (not found${exec.installHint ? `: ${exec.installHint.trim()}` : ""})` : "";
      const said = secrets.redact(stderr.trim()).slice(0, 300);
      throw new RegistryError(`kubernetes: ${name} failed${hint}: ${said || secrets.redact(error.message)}`, {
        retryable: !missing,
      });
    }
    let token: unknown;
    let expires: unknown;
    try {
      const credential = JSON.parse(stdout) as {
        status?: { token?: unknown; expirationTimestamp?: unknown };
      };
      token = credential.status?.token;
      expires = credential.status?.expirationTimestamp;
    } catch {
      throw new RegistryError(`kubernetes: ${name} printed something that is not an ExecCredential (JSON)`, {
        retryable: true,
      });
    }
    if (typeof token !== "string" || token === "") {
      throw new RegistryError(
        `kubernetes: ${name} gave no status.token (client certificates from a plugin are not supported); use a plugin that issues tokens`,
        { retryable: false },
      );
    }
    secrets.add(token);
    const expiry = typeof expires === "string" ? Date.parse(expires) : Number.NaN;
    this.cached = {
      token,
      until: Number.isNaN(expiry) ? Number.POSITIVE_INFINITY : expiry - EXPIRY_MARGIN_MS,
    };
    return token;
  }
}
