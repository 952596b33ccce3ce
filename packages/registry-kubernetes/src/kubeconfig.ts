// Reads kubeconfig files as kubectl does: KUBECONFIG may list several (joined by ':'), merged so
// that the first file to set a value wins; missing files in the list are skipped; relative paths
// inside a file are resolved from its folder.
import { existsSync, readFileSync } from "node:fs";
import { delimiter, dirname, isAbsolute, resolve } from "node:path";
import { InvalidArgumentError } from "@switchyard/api";
import { load } from "js-yaml";
import type { Access, AuthSource, ExecConfig } from "./access.js";

type Any = Record<string, unknown>;

interface Named {
  readonly value: Any;
  /** Folder of the file that defined it. */
  readonly dir: string;
}

const isObject = (value: unknown): value is Any =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function fail(message: string): never {
  throw new InvalidArgumentError(`kubernetes: ${message}`);
}

/** The kubeconfig paths to read: the option, else `KUBECONFIG`, else `~/.kube/config` when it exists. */
export function kubeconfigPaths(
  option: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  home: string,
): string[] {
  if (option !== undefined) return [option];
  const list = env.KUBECONFIG;
  if (list) return list.split(delimiter).filter((p) => p !== "");
  const fallback = resolve(home, ".kube", "config");
  return existsSync(fallback) ? [fallback] : [];
}

function parseFile(path: string): Any {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new InvalidArgumentError(
      `kubernetes: cannot read the kubeconfig ${path}; fix the path or KUBECONFIG`,
      { cause },
    );
  }
  let parsed: unknown;
  try {
    parsed = load(text);
  } catch (cause) {
    // The parser quotes lines of the file, which may hold a token: only its position is kept.
    const mark = isObject(cause) && isObject(cause.mark) ? ` (line ${Number(cause.mark.line) + 1})` : "";
    throw new InvalidArgumentError(
      `kubernetes: the kubeconfig ${path} is not valid YAML${mark}; check it with kubectl config view`,
    );
  }
  if (parsed === undefined || parsed === null) return {};
  if (!isObject(parsed)) fail(`the kubeconfig ${path} is not a mapping; check it with kubectl config view`);
  return parsed;
}

/** Merges the named entries (clusters, users, contexts) of every file, the first definition winning. */
function collect(files: Array<{ config: Any; dir: string }>, field: string): Map<string, Named> {
  const result = new Map<string, Named>();
  for (const { config, dir } of files) {
    const list = config[field];
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      if (!isObject(entry) || typeof entry.name !== "string" || result.has(entry.name)) continue;
      const inner = entry[field.slice(0, -1)];
      result.set(entry.name, { value: isObject(inner) ? inner : {}, dir });
    }
  }
  return result;
}

const str = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : undefined;
const pathIn = (dir: string, path: string): string => (isAbsolute(path) ? path : resolve(dir, path));

/** Inline base64 data (`*-data`), or the file a path names, or undefined. */
function material(entry: Named, field: string, what: string): Buffer | undefined {
  const data = str(entry.value[`${field}-data`]);
  if (data !== undefined) return Buffer.from(data, "base64");
  const path = str(entry.value[field]);
  if (path === undefined) return undefined;
  const full = pathIn(entry.dir, path);
  try {
    return readFileSync(full);
  } catch (cause) {
    throw new InvalidArgumentError(`kubernetes: cannot read the ${what} ${full} named in the kubeconfig`, {
      cause,
    });
  }
}

function execOf(user: Named, name: string): ExecConfig {
  const exec = user.value.exec as Any;
  const command = str(exec.command);
  if (command === undefined) fail(`the exec plugin of kubeconfig user "${name}" has no command`);
  const env: Record<string, string> = {};
  if (Array.isArray(exec.env)) {
    for (const pair of exec.env)
      if (isObject(pair) && typeof pair.name === "string") env[pair.name] = String(pair.value ?? "");
  }
  // A command with a slash is a path, relative to the kubeconfig's folder; a bare name is looked up on PATH.
  const resolved = command.includes("/") ? pathIn(user.dir, command) : command;
  return {
    apiVersion: str(exec.apiVersion) ?? "client.authentication.k8s.io/v1",
    command: resolved,
    args: Array.isArray(exec.args) ? exec.args.map(String) : [],
    env,
    cwd: user.dir,
    installHint: str(exec.installHint) ?? "",
  };
}

function authOf(user: Named | undefined, name: string): AuthSource {
  if (user === undefined) return { kind: "none" };
  const { value } = user;
  const token = str(value.token);
  if (token !== undefined) return { kind: "token", token };
  const tokenFile = str(value.tokenFile);
  if (tokenFile !== undefined) return { kind: "tokenFile", path: pathIn(user.dir, tokenFile) };
  if (isObject(value.exec)) return { kind: "exec", exec: execOf(user, name) };
  if (isObject(value["auth-provider"])) {
    const provider = str((value["auth-provider"] as Any).name) ?? "?";
    fail(
      `kubeconfig user "${name}" uses the auth-provider "${provider}", which this registry does not run; ` +
        "switch the user to an exec plugin (kubelogin for OIDC, gke-gcloud-auth-plugin, aws eks get-token) or pass token",
    );
  }
  if (str(value.username) !== undefined) {
    fail(
      `kubeconfig user "${name}" uses basic auth (username/password), which Kubernetes removed in 1.19; use a token`,
    );
  }
  return { kind: "none" };
}

/**
 * The access of a kubeconfig's context (`contextName`, else `current-context`).
 * @throws InvalidArgumentError when no file can be read, the context, cluster or user is missing,
 * or the user authenticates in a way this registry does not support.
 */
export function loadKubeconfig(paths: readonly string[], contextName: string | undefined): Access {
  const present = paths.length === 1 ? paths : paths.filter((path) => existsSync(path));
  const files = present.map((path) => ({ config: parseFile(path), dir: dirname(resolve(path)) }));
  if (files.length === 0) fail(`none of the kubeconfig files ${paths.join(", ")} exists; fix KUBECONFIG`);
  const current =
    contextName ?? files.map((f) => str(f.config["current-context"])).find((c) => c !== undefined);
  const where = paths.join(delimiter);
  if (current === undefined)
    fail(`the kubeconfig ${where} has no current-context; pass context or run kubectl config use-context`);
  const context = collect(files, "contexts").get(current);
  if (context === undefined) fail(`the kubeconfig ${where} has no context "${current}"`);
  const clusterName = str(context.value.cluster) ?? "";
  const cluster = collect(files, "clusters").get(clusterName);
  if (cluster === undefined)
    fail(
      `context "${current}" of the kubeconfig ${where} names cluster "${clusterName}", which it does not define`,
    );
  const server = str(cluster.value.server);
  if (server === undefined) fail(`cluster "${clusterName}" of the kubeconfig ${where} has no server`);
  if (str(cluster.value["proxy-url"]) !== undefined) {
    fail(
      `cluster "${clusterName}" of the kubeconfig ${where} goes through a proxy-url, which this registry does not support; reach the API server directly`,
    );
  }
  const userName = str(context.value.user) ?? "";
  const user = collect(files, "users").get(userName);
  return {
    server: server.replace(/\/+$/, ""),
    tls: {
      ca: material(cluster, "certificate-authority", "CA certificate"),
      cert: user === undefined ? undefined : material(user, "client-certificate", "client certificate"),
      key: user === undefined ? undefined : material(user, "client-key", "client key"),
      servername: str(cluster.value["tls-server-name"]),
      rejectUnauthorized: cluster.value["insecure-skip-tls-verify"] !== true,
    },
    auth: authOf(user, userName),
    namespace: str(context.value.namespace),
    source: `kubeconfig ${where} (context ${current})`,
  };
}
