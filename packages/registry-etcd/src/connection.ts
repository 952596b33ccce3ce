import { InvalidArgumentError } from "@switchyard/api";
import { Etcd3, type IOptions } from "etcd3";
import { learnAuthTokens } from "./auth-token.js";
import type { EtcdRegistryOptions, EtcdTlsOptions } from "./options.js";
import type { Settings } from "./settings.js";

/** The etcd3 client a registry talks through, and whether the registry created it (and closes it). */
export interface Connection {
  readonly client: Etcd3;
  readonly owned: boolean;
  /** Where it connects, for error messages (no credentials in it). */
  readonly endpoints: readonly string[];
}

type AuthCallOptions = NonNullable<IOptions["auth"]>["callOptions"];
type Policy = ReturnType<NonNullable<NonNullable<IOptions["faultHandling"]>["host"]>>;

const WHERE = "etcd: createEtcdRegistry";
const DEFAULT_ENDPOINT = "127.0.0.1:2379"; // http, or https when tls is set
const NO_EVENT = () => ({ dispose() {} });

/**
 * A fault policy that just runs the call. etcd3 guards each host with a circuit breaker that,
 * after three failures, refuses every call for 5 s; with the retry loops here already backing off,
 * it would only delay recovery once etcd is back (long enough to make a short lease look lost).
 */
const passThrough = {
  onSuccess: NO_EVENT,
  onFailure: NO_EVENT,
  execute: (fn: (context: { signal: AbortSignal }) => unknown, signal?: AbortSignal) =>
    Promise.resolve().then(() => fn({ signal: signal ?? new AbortController().signal })),
} as unknown as Policy;

function fail(message: string): never {
  throw new InvalidArgumentError(`${WHERE}: ${message}`);
}

/** `host:port` or `http(s)://host[:port]`, normalized to `scheme://host:port` (2379 by default). */
function normalizeEndpoint(value: unknown, secure: boolean): string {
  if (typeof value !== "string" || value === "") {
    fail(`each endpoint must be a non-empty string such as "http://127.0.0.1:2379", got ${String(value)}`);
  }
  const match = /^(?:(https?):\/\/)?([^/?#]+)\/?$/.exec(value);
  if (match === null) {
    fail(
      `endpoint ${JSON.stringify(value)} is not a client URL; write it as http://host:port or https://host:port`,
    );
  }
  const scheme = match[1] ?? (secure ? "https" : "http");
  const authority = /:\d+$/.test(match[2]!) ? match[2]! : `${match[2]}:2379`;
  try {
    new URL(`${scheme}://${authority}`);
  } catch {
    fail(`endpoint ${JSON.stringify(value)} has no valid host; write it as http://host:port`);
  }
  return `${scheme}://${authority}`;
}

function pem(value: unknown, name: string): Buffer | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string") return Buffer.from(value);
  if (Buffer.isBuffer(value)) return value;
  fail(`tls.${name} must be a PEM string or a Buffer`);
}

function credentialsOf(tls: EtcdTlsOptions): IOptions["credentials"] {
  const cert = pem(tls.cert, "cert");
  const key = pem(tls.key, "key");
  if ((cert === undefined) !== (key === undefined))
    fail("tls.cert and tls.key go together; give both or neither");
  // etcd3 passes these to grpc's createSsl, which uses Node's roots when the CA is left out.
  return { rootCertificate: pem(tls.ca, "ca") as Buffer, certChain: cert, privateKey: key };
}

function checkAuth(auth: EtcdRegistryOptions["auth"]): NonNullable<EtcdRegistryOptions["auth"]> | undefined {
  if (auth === undefined) return undefined;
  const { username, password } = (auth ?? {}) as { username?: unknown; password?: unknown };
  if (typeof username !== "string" || username === "" || typeof password !== "string") {
    fail("auth must be { username, password }, both strings, the username not empty");
  }
  return { username, password };
}

/**
 * Builds the etcd3 client from the connection options, or takes the one given as `client`.
 * @throws InvalidArgumentError when an endpoint is malformed, endpoints mix http and https, `tls`
 * goes with an http endpoint, `auth` or `tls` is malformed, or `client` comes with any of them.
 */
export function connect(options: EtcdRegistryOptions, settings: Settings): Connection {
  if (options.client !== undefined) {
    const client = options.client as Partial<Etcd3> | null;
    if (typeof client !== "object" || client === null || typeof client.lease !== "function" || !client.kv) {
      fail("client must be an Etcd3 instance from the etcd3 package");
    }
    if (options.endpoints !== undefined || options.auth !== undefined || options.tls !== undefined) {
      fail("pass either client or endpoints/auth/tls; a client you give is already connected");
    }
    return { client: options.client, owned: false, endpoints: ["(the etcd3 client given)"] };
  }
  const tls = options.tls;
  if (tls !== undefined && (typeof tls !== "object" || tls === null)) fail("tls must be an object");
  if (tls?.servername !== undefined && (typeof tls.servername !== "string" || tls.servername === "")) {
    fail("tls.servername must be a non-empty host name");
  }
  const raw = options.endpoints ?? DEFAULT_ENDPOINT;
  const list = typeof raw === "string" ? [raw] : raw;
  if (!Array.isArray(list) || list.length === 0) {
    fail("endpoints must be a client URL or a non-empty array of them, such as http://127.0.0.1:2379");
  }
  const endpoints = list.map((endpoint) => normalizeEndpoint(endpoint, tls !== undefined));
  const secure = endpoints.filter((endpoint) => endpoint.startsWith("https:")).length;
  if (secure !== 0 && secure !== endpoints.length) fail("endpoints must be all https or all http, not a mix");
  if (tls !== undefined && secure === 0)
    fail("tls is set but the endpoints are http://; use https:// endpoints");
  const auth = checkAuth(options.auth);
  // Each Authenticate call has its deadline, and its reply's token joins the secrets.
  const interceptors = [learnAuthTokens(settings.secrets)];
  const authCall = () => ({ deadline: Date.now() + settings.requestTimeoutMs, interceptors });
  const etcdOptions: IOptions = {
    hosts: endpoints,
    credentials: tls === undefined ? undefined : credentialsOf(tls),
    auth: auth === undefined ? undefined : { ...auth, callOptions: authCall as unknown as AuthCallOptions },
    grpcOptions: {
      // Notice a silently dead connection (etcd allows pings every 5 s and more rarely).
      "grpc.keepalive_time_ms": 10_000,
      "grpc.keepalive_timeout_ms": 5_000,
      // Keep gRPC's own reconnect backoff short: the loops here back off themselves.
      "grpc.initial_reconnect_backoff_ms": 250,
      "grpc.max_reconnect_backoff_ms": 2_000,
      ...(tls?.servername === undefined
        ? {}
        : { "grpc.ssl_target_name_override": tls.servername, "grpc.default_authority": tls.servername }),
    },
    faultHandling: { host: () => passThrough },
  };
  return { client: new Etcd3(etcdOptions), owned: true, endpoints };
}
