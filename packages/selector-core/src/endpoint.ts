import { InvalidArgumentError } from "@switchyard/api";

/** An endpoint URL of a registry instance, as a transport dials it. */
export interface ParsedEndpoint {
  /** `http`, `https`, `grpc` or `grpcs` (the secure form when the URL asks for TLS), or another scheme as written. */
  readonly scheme: string;
  /** `host:port`; IPv6 hosts in brackets. */
  readonly address: string;
  /** Whether the endpoint wants TLS: an `https`/`grpcs` URL, or `isSecure=true` in the query. */
  readonly secure: boolean;
}

/** The protocol families transports ask for. */
export type EndpointFamily = "http" | "grpc";

const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: "80", https: "443" };

// Go's strconv.ParseBool, which Kratos uses for isSecure.
function parseBool(value: string | null): boolean {
  return (
    value === "1" ||
    value === "t" ||
    value === "T" ||
    value === "true" ||
    value === "TRUE" ||
    value === "True"
  );
}

// Every spelling of the IPv4 unspecified address that inet_aton and WHATWG URLs accept: one to four
// dot-separated parts, each a decimal, octal or hex zero, with an optional trailing dot. URLs of
// http(s) normalise these to 0.0.0.0; grpc:// URLs keep the host as written.
const UNSPECIFIED_IPV4 = /^(?:(?:0x0*|0+)\.){0,3}(?:0x0*|0+)\.?$/i;
// URLs write IPv6 hosts in canonical form: :: (also for ::0.0.0.0), and ::ffff:0:0 for the
// IPv4-mapped 0.0.0.0.
const UNSPECIFIED_IPV6: ReadonlySet<string> = new Set(["[::]", "[::ffff:0:0]"]);

/**
 * Whether a URL hostname is the unspecified address (0.0.0.0 or ::, in any spelling). A server
 * binds to it to listen on every interface; it is never an address to dial (on Linux a connection
 * to 0.0.0.0:P reaches the client's own host).
 */
export function isUnspecifiedHost(hostname: string): boolean {
  return UNSPECIFIED_IPV6.has(hostname) || UNSPECIFIED_IPV4.test(hostname);
}

function explicitPort(endpoint: string): string | undefined {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^/?#:]*):(\d+)(?:[/?#]|$)/i.exec(
    endpoint,
  );
  return authority?.[2];
}

/**
 * Parses one endpoint URL. `http://h:p?isSecure=true` gives scheme `https`, `grpc://…?isSecure=true`
 * gives `grpcs`; an `http(s)` URL without a port gets the default port.
 * @throws InvalidArgumentError when the URL does not parse, has no host, or (gRPC) has no port.
 */
export function parseEndpoint(endpoint: string): ParsedEndpoint {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (cause) {
    throw new InvalidArgumentError(`endpoint: ${JSON.stringify(endpoint)} is not a URL`, { cause });
  }
  const written = url.protocol.slice(0, -1);
  if (url.hostname === "") {
    throw new InvalidArgumentError(`endpoint: ${JSON.stringify(endpoint)} has no host`);
  }
  const base = written === "https" ? "http" : written === "grpcs" ? "grpc" : written;
  const secure = written === "https" || written === "grpcs" || parseBool(url.searchParams.get("isSecure"));
  const scheme = (base === "http" || base === "grpc") && secure ? `${base}s` : written;
  // URL drops a port equal to the written scheme's default (http://h:80 gives ""): read it back from
  // the text, so that http://h:80?isSecure=true dials 80, not https's 443.
  let port = url.port === "" ? (explicitPort(endpoint) ?? "") : url.port;
  if (port === "") {
    const fallback = DEFAULT_PORTS[scheme];
    if (fallback === undefined) {
      throw new InvalidArgumentError(`endpoint: ${JSON.stringify(endpoint)} has no port`);
    }
    port = fallback;
  }
  return { scheme, address: `${url.hostname}:${port}`, secure };
}

function hostOf(address: string): string {
  return address.slice(0, address.lastIndexOf(":"));
}

/**
 * The first endpoint of `family` among `endpoints` (`http` matches http and https, `grpc` matches
 * grpc and grpcs), or `undefined` when there is none. Endpoints that do not parse, and endpoints
 * of the family whose host is the unspecified address (`0.0.0.0`, `[::]`: what a server listens
 * on, not an address to dial), are passed to `onInvalid` (when given) and skipped.
 */
export function selectEndpoint(
  endpoints: readonly string[],
  family: EndpointFamily,
  onInvalid?: (endpoint: string, error: InvalidArgumentError) => void,
): ParsedEndpoint | undefined {
  for (const endpoint of endpoints) {
    let parsed: ParsedEndpoint;
    try {
      parsed = parseEndpoint(endpoint);
    } catch (error) {
      onInvalid?.(endpoint, error as InvalidArgumentError);
      continue;
    }
    if (parsed.scheme !== family && parsed.scheme !== `${family}s`) continue;
    const host = hostOf(parsed.address);
    if (!isUnspecifiedHost(host)) return parsed;
    onInvalid?.(
      endpoint,
      new InvalidArgumentError(
        `endpoint: ${JSON.stringify(endpoint)} has the unspecified host ${host}, which is where a server ` +
          "listens, not an address to dial; register the instance with an address clients can reach",
      ),
    );
  }
  return undefined;
}
