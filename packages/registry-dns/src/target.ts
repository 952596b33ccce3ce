import { isIP } from "node:net";
import { InvalidArgumentError } from "@switchyard/api";

/** What a service resolves to: the records of one DNS name and the scheme of its endpoints. */
export type Target =
  | { readonly kind: "srv"; readonly name: string; readonly scheme: string }
  | { readonly kind: "address"; readonly name: string; readonly port: number; readonly scheme: string };

/** A DNS name with the scheme of its endpoints, when the name alone does not tell it. */
export interface DnsServiceTarget {
  /**
   * An SRV name, `_<port name>._<proto>.<host>` (`_grpc._tcp.api.default.svc.cluster.local`), or a
   * name with a port, `<host>:<port>` (`api.internal:8080`), whose A/AAAA records give the
   * addresses.
   */
  readonly name: string;
  /**
   * The scheme of the endpoints (`http`, `https`, `grpc`, `grpcs`, …). Default: for an SRV name,
   * the port name when it is one of those four or starts with one and a dash (`_grpc-api` gives
   * `grpc`); for a name with a port, `http`.
   */
  readonly scheme?: string;
}

const KNOWN_SCHEMES: ReadonlySet<string> = new Set(["http", "https", "grpc", "grpcs"]);
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
const SCHEME = /^[a-z][a-z0-9+.-]*$/;
const SRV = /^_([a-z0-9-]+)\._(tcp|udp)\.(.+)$/;

function fail(where: string, message: string): never {
  throw new InvalidArgumentError(`${where}: ${message}`);
}

/**
 * A DNS name as queried: lower case, without the trailing dot. Names are absolute (no search
 * domains are appended): write `api.default.svc.cluster.local`, not `api`.
 * @throws InvalidArgumentError for an empty name, a label over 63 bytes, a name over 253, or a
 * character other than letters, digits, `-` and `_` (write internationalised names in punycode).
 */
export function checkDnsName(value: string, where: string): string {
  const name = value.endsWith(".") ? value.slice(0, -1).toLowerCase() : value.toLowerCase();
  const quoted = JSON.stringify(value);
  if (name === "") fail(where, `${quoted} is not a DNS name`);
  if (name.length > 253) fail(where, `${quoted} is longer than the 253 characters a DNS name may have`);
  for (const label of name.split(".")) {
    if (!LABEL.test(label)) {
      fail(
        where,
        `${quoted} is not a DNS name: each dot-separated label has 1 to 63 letters, digits, "-" or "_" (write internationalised names in punycode)`,
      );
    }
  }
  return name;
}

function schemeOfSrv(portName: string, text: string, where: string): string {
  const prefix = portName.split("-", 1)[0]!;
  if (KNOWN_SCHEMES.has(portName) || (KNOWN_SCHEMES.has(prefix) && portName !== "grpc-web")) return prefix;
  return fail(
    where,
    `the SRV name ${JSON.stringify(text)} does not tell the scheme of its endpoints (port name "${portName}"); give it as { name: ${JSON.stringify(text)}, scheme: "http" } (or "grpc", …)`,
  );
}

/**
 * Reads a target: a string (the name) or a {@link DnsServiceTarget}. An SRV name starts with
 * `_<port name>._tcp.` or `._udp.`; any other name needs a port.
 * @throws InvalidArgumentError naming `where` and saying what to write instead.
 */
export function parseTarget(value: unknown, where: string): Target {
  const object = typeof value === "object" && value !== null;
  const text = object ? (value as DnsServiceTarget).name : value;
  if (typeof text !== "string") {
    fail(
      where,
      `expected a DNS name such as "_grpc._tcp.api.default.svc.cluster.local" or "api.internal:8080", or { name, scheme }, got ${object ? `{ name: ${String(text)} }` : String(value)}`,
    );
  }
  const given = object ? (value as DnsServiceTarget).scheme : undefined;
  if (given !== undefined && (typeof given !== "string" || !SCHEME.test(given))) {
    fail(where, `scheme must be a URL scheme in lower case such as "grpc", got ${JSON.stringify(given)}`);
  }
  const colon = text.lastIndexOf(":");
  const host = colon < 0 ? text : text.slice(0, colon);
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (isIP(bare) !== 0 || isIP(text) !== 0) {
    fail(
      where,
      `${JSON.stringify(text)} is an address, not a name: DNS has nothing to resolve; list fixed addresses with createStaticDiscovery from @switchyard/registry-memory`,
    );
  }
  if (colon < 0) {
    const name = checkDnsName(text, where);
    const srv = SRV.exec(name);
    if (srv === null) {
      fail(
        where,
        `${JSON.stringify(text)} has no port: write "${name}:<port>" for its A/AAAA records, or an SRV name such as "_grpc._tcp.${name}"`,
      );
    }
    return { kind: "srv", name, scheme: given ?? schemeOfSrv(srv[1]!, text, where) };
  }
  const portText = text.slice(colon + 1);
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : 0;
  if (port < 1 || port > 65535) {
    fail(where, `${JSON.stringify(text)} has no valid port after the colon (1 to 65535)`);
  }
  const name = checkDnsName(host, where);
  if (SRV.test(name)) {
    fail(
      where,
      `${JSON.stringify(text)} is an SRV name, whose records carry the ports: leave out ":${portText}"`,
    );
  }
  return { kind: "address", name, port, scheme: given ?? "http" };
}
