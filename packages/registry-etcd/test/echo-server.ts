// A hostile stand-in for etcd, for tests of what errors and log lines may show: a gRPC server on
// loopback with etcd's own protocol definitions that hands out a known auth token, then fails
// every read with a message echoing the token and the password it was given. It is built on the
// grpc-js and proto-loader that etcd3 itself depends on.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** The few grpc-js and proto-loader functions used here. */
interface Metadata {
  get(key: string): unknown[];
}
interface Call {
  readonly request: Record<string, unknown>;
  readonly metadata: Metadata;
}
type Callback = (error: { code: number; details: string } | null, reply?: unknown) => void;
interface Server {
  addService(service: unknown, handlers: Record<string, (call: Call, callback: Callback) => void>): void;
  bindAsync(address: string, credentials: unknown, done: (error: Error | null, port: number) => void): void;
  forceShutdown(): void;
}
interface Grpc {
  Server: new () => Server;
  ServerCredentials: { createInsecure(): unknown };
  loadPackageDefinition(definition: unknown): Record<string, Record<string, { service: unknown }>>;
}
interface ProtoLoader {
  loadSync(path: string, options: Record<string, unknown>): unknown;
}

const fromEtcd3 = createRequire(createRequire(import.meta.url).resolve("etcd3"));
const grpc = fromEtcd3("@grpc/grpc-js") as Grpc;
const protoLoader = fromEtcd3("@grpc/proto-loader") as ProtoLoader;
const PROTO = join(dirname(fromEtcd3.resolve("etcd3/package.json")), "proto", "rpc.proto");

/** gRPC's UNAUTHENTICATED and UNKNOWN status codes. */
const UNAUTHENTICATED = 16;
const UNKNOWN = 2;

export interface EchoServer {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Passwords it was sent, in order. */
  readonly passwords: string[];
  stop(): void;
}

/**
 * Starts the server. With `refuse`, Authenticate fails and echoes the password; otherwise it
 * answers with `token`, and Range fails echoing the token it received and the password.
 */
export function startEchoServer(token: string, options: { refuse?: boolean } = {}): Promise<EchoServer> {
  const definition = protoLoader.loadSync(PROTO, {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const etcd = grpc.loadPackageDefinition(definition).etcdserverpb!;
  const passwords: string[] = [];
  const header = { cluster_id: "1", member_id: "1", revision: "1", raft_term: "1" };
  const server = new grpc.Server();
  server.addService(etcd.Auth!.service, {
    Authenticate(call, callback) {
      const password = String(call.request.password);
      passwords.push(password);
      if (options.refuse) {
        callback({ code: UNAUTHENTICATED, details: `no user may log in with password ${password}` });
      } else callback(null, { header, token });
    },
  });
  server.addService(etcd.KV!.service, {
    Range(call, callback) {
      const sent = String(call.metadata.get("token")[0] ?? "(none)");
      const password = passwords.at(-1) ?? "(none)";
      callback({ code: UNKNOWN, details: `token ${sent} of the user with password ${password} is stale` });
    },
  });
  return new Promise((resolve, reject) => {
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => {
      if (error !== null) return reject(error);
      resolve({ endpoint: `http://127.0.0.1:${port}`, passwords, stop: () => server.forceShutdown() });
    });
  });
}
