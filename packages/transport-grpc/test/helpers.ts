import type { ServiceError } from "@grpc/grpc-js";
import type { ServiceInstance } from "@switchyard/api";
import type { GreeterClient, TestServer } from "./servers.js";

/** The registry instance of a test server (grpc endpoint, version 1.0.0 unless overridden). */
export function instanceOf(server: TestServer, extra: Partial<ServiceInstance> = {}): ServiceInstance {
  return {
    id: server.name,
    name: "helloworld",
    version: "1.0.0",
    metadata: {},
    endpoints: [`grpc://${server.address}`],
    ...extra,
  };
}

/** Resolves once the client's channel is READY (one subchannel connected at least). */
export function waitForReady(client: GreeterClient, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) =>
    client.waitForReady(Date.now() + ms, (error) => (error ? reject(error) : resolve())),
  );
}

/** The gRPC status code of a failed call. */
export function codeOf(error: unknown): number | undefined {
  return (error as ServiceError | undefined)?.code;
}

/** A logger that keeps quiet (the resolver reports skipped entries and retries). */
export const quiet = { warn: () => {} };
