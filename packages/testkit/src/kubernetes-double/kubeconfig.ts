/** What a kubeconfig for the double holds. */
export interface KubeconfigParts {
  readonly server: string;
  readonly ca: string | undefined;
  readonly token: string | undefined;
  readonly client: { readonly cert: string; readonly key: string } | undefined;
  readonly namespace: string;
  readonly user: string;
}

const b64 = (text: string): string => Buffer.from(text).toString("base64");

/** A kubeconfig in YAML, as `kubectl config view --raw` writes one: one cluster, user and context. */
export function kubeconfigYaml(parts: KubeconfigParts): string {
  const cluster = [`    server: ${parts.server}`];
  if (parts.ca !== undefined) cluster.push(`    certificate-authority-data: ${b64(parts.ca)}`);
  const user: string[] = [];
  if (parts.token !== undefined) user.push(`    token: ${JSON.stringify(parts.token)}`);
  if (parts.client !== undefined) {
    user.push(
      `    client-certificate-data: ${b64(parts.client.cert)}`,
      `    client-key-data: ${b64(parts.client.key)}`,
    );
  }
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: double",
    "  cluster:",
    ...cluster,
    "users:",
    `- name: ${parts.user}`,
    user.length === 0 ? "  user: {}" : "  user:",
    ...user,
    "contexts:",
    "- name: double",
    "  context:",
    "    cluster: double",
    `    user: ${parts.user}`,
    `    namespace: ${parts.namespace}`,
    "current-context: double",
    "preferences: {}",
    "",
  ].join("\n");
}
