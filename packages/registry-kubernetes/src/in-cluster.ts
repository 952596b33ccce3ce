import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Access } from "./access.js";

/** Where Kubernetes mounts a pod's service account. */
export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/**
 * The access of the pod's service account, when the process runs in a pod (the kubelet sets
 * `KUBERNETES_SERVICE_HOST`/`_PORT` and mounts the token, CA and namespace): the token file is
 * re-read as the kubelet rotates it. Undefined outside a pod.
 */
export function inClusterAccess(
  env: Readonly<Record<string, string | undefined>>,
  dir: string,
): Access | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) return undefined;
  const tokenPath = join(dir, "token");
  if (!existsSync(tokenPath)) return undefined;
  const caPath = join(dir, "ca.crt");
  const namespacePath = join(dir, "namespace");
  const namespace = existsSync(namespacePath) ? readFileSync(namespacePath, "utf8").trim() : undefined;
  const hostPart = host.includes(":") ? `[${host}]` : host;
  return {
    server: `https://${hostPart}:${port}`,
    tls: {
      ca: existsSync(caPath) ? readFileSync(caPath) : undefined,
      cert: undefined,
      key: undefined,
      servername: undefined,
      rejectUnauthorized: true,
    },
    auth: { kind: "tokenFile", path: tokenPath },
    namespace: namespace === "" ? undefined : namespace,
    source: `the in-cluster service account (${dir})`,
  };
}
