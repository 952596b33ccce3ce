// The scheme of an endpoint URL from a Service port: its `appProtocol` first, then its name, by
// the conventions clusters already follow (Kubernetes's `kubernetes.io/h2c`, Istio's
// `<protocol>[-<suffix>]` port names). gRPC servers speak HTTP/2 without TLS, so h2c and http2
// ports are grpc endpoints.

const SCHEMES: Readonly<Record<string, string>> = {
  http: "http",
  https: "https",
  grpc: "grpc",
  grpcs: "grpcs",
  h2c: "grpc",
  http2: "grpc",
  "grpc-web": "http",
  ws: "http",
  wss: "https",
};

function known(candidate: string | undefined): string | undefined {
  if (candidate === undefined || candidate === "") return undefined;
  const value = candidate.toLowerCase().replace(/^kubernetes\.io\//, "");
  const whole = SCHEMES[value];
  if (whole !== undefined) return whole;
  const dash = value.indexOf("-");
  return dash > 0 ? SCHEMES[value.slice(0, dash)] : undefined;
}

/** The scheme of a port: from `appProtocol`, else its name, else `fallback`. */
export function schemeOf(
  appProtocol: string | undefined,
  name: string | undefined,
  fallback: string,
): string {
  return known(appProtocol) ?? known(name) ?? fallback;
}

/** `host:port`, with an IPv6 host in brackets. */
export function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
