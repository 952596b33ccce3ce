import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";

export interface HelloRequest {
  name: string;
  count?: number;
}
export interface HelloReply {
  message: string;
  server: string;
}

type Unary = grpc.handleUnaryCall<HelloRequest, HelloReply>;
type Streaming = grpc.handleServerStreamingCall<HelloRequest, HelloReply>;

/** The generated client class of helloworld.Greeter. */
export interface GreeterClient extends grpc.Client {
  sayHello(
    request: HelloRequest,
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, reply?: HelloReply) => void,
  ): grpc.ClientUnaryCall;
  sayHello(
    request: HelloRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, reply?: HelloReply) => void,
  ): grpc.ClientUnaryCall;
  sayHellos(request: HelloRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<HelloReply>;
}
type GreeterConstructor = new (
  target: string,
  credentials: grpc.ChannelCredentials,
  options?: grpc.ChannelOptions,
) => GreeterClient;

const definition = loadSync(fileURLToPath(new URL("./fixtures/helloworld.proto", import.meta.url)), {
  keepCase: true,
  defaults: true,
});
const Greeter = (grpc.loadPackageDefinition(definition).helloworld as grpc.GrpcObject)
  .Greeter as grpc.ServiceClientConstructor;

/** A helloworld client over `target`. */
export function greeter(target: string, options?: grpc.ChannelOptions): GreeterClient {
  return new (Greeter as unknown as GreeterConstructor)(target, grpc.credentials.createInsecure(), options);
}

/** Calls SayHello once; resolves with the reply or rejects with the ServiceError. */
export function sayHello(
  client: GreeterClient,
  name = "ada",
  options: grpc.CallOptions = {},
): Promise<HelloReply> {
  return new Promise((resolve, reject) => {
    const deadline = options.deadline ?? Date.now() + 5000;
    client.sayHello({ name }, { ...options, deadline }, (error, reply) =>
      error ? reject(error) : resolve(reply!),
    );
  });
}

/** A real grpc-js helloworld server on 127.0.0.1 that counts the calls it served. */
export interface TestServer {
  readonly name: string;
  readonly address: string;
  hits: number;
  /** Replaces the SayHello handler. */
  handle(handler: Unary): void;
  /** Replaces the SayHellos handler. */
  handleStream(handler: Streaming): void;
  /** Stops the server at once, cutting its connections. Idempotent. */
  close(): Promise<void>;
}

/** Starts `count` helloworld servers on 127.0.0.1:0, named s0, s1, … */
export async function startServers(count: number): Promise<TestServer[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => startServer(`s${i}`)));
}

async function startServer(name: string): Promise<TestServer> {
  const server = new grpc.Server();
  let unary: Unary = (call, callback) =>
    callback(null, { message: `hello ${call.request.name}`, server: name });
  let streaming: Streaming = (call) => {
    for (let i = 0; i < (call.request.count || 1); i++) call.write({ message: `hello ${i}`, server: name });
    call.end();
  };
  const state = { hits: 0, closed: false };
  server.addService(Greeter.service, {
    SayHello: ((call, callback) => {
      state.hits++;
      unary(call, callback);
    }) as Unary,
    SayHellos: ((call) => {
      state.hits++;
      streaming(call);
    }) as Streaming,
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    name,
    address: `127.0.0.1:${port}`,
    get hits() {
      return state.hits;
    },
    set hits(value: number) {
      state.hits = value;
    },
    handle(handler) {
      unary = handler;
    },
    handleStream(handler) {
      streaming = handler;
    },
    async close() {
      if (state.closed) return;
      state.closed = true;
      server.forceShutdown();
    },
  };
}

/** Counts how many times each value occurs. */
export function tally(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
