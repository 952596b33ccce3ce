/** How to run an exec credential plugin (a kubeconfig user's `exec`). */
export interface ExecConfig {
  readonly apiVersion: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** The folder relative commands and paths are resolved from (the kubeconfig's). */
  readonly cwd: string;
  readonly installHint: string;
}

/** Where the bearer token comes from. */
export type AuthSource =
  | { readonly kind: "none" }
  | { readonly kind: "token"; readonly token: string }
  | { readonly kind: "tokenFile"; readonly path: string }
  | { readonly kind: "exec"; readonly exec: ExecConfig };

/** TLS settings of the connection to the API server. */
export interface AccessTls {
  readonly ca: string | Buffer | undefined;
  readonly cert: string | Buffer | undefined;
  readonly key: string | Buffer | undefined;
  readonly servername: string | undefined;
  readonly rejectUnauthorized: boolean;
}

/** Everything needed to reach and authenticate to one API server. */
export interface Access {
  /** Base URL, without a trailing slash. */
  readonly server: string;
  readonly tls: AccessTls;
  readonly auth: AuthSource;
  /** The namespace the source names (context or pod), if any. */
  readonly namespace: string | undefined;
  /** Where the access came from, for messages: `kubeconfig /home/me/.kube/config (context kind-dev)`. */
  readonly source: string;
}
