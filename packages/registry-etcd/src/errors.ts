import { RegistryError } from "@switchyard/api";
import {
  castGrpcError,
  EtcdAuthenticationFailedError,
  EtcdPermissionDeniedError,
  GRPCNotImplementedError,
  GRPCUnauthenticatedError,
  isRecoverableError,
} from "etcd3";

function advice(error: unknown, endpoints: readonly string[]): { text: string; retryable: boolean } {
  const where = endpoints.join(", ");
  if (error instanceof EtcdAuthenticationFailedError || error instanceof GRPCUnauthenticatedError) {
    return { text: "check the username and password of the auth option", retryable: false };
  }
  if (error instanceof EtcdPermissionDeniedError) {
    return { text: "grant the etcd user read and write access to the namespace prefix", retryable: false };
  }
  if (error instanceof GRPCNotImplementedError) {
    return {
      text: `the server at ${where} does not speak etcd's v3 API; use etcd 3.4 or later`,
      retryable: false,
    };
  }
  if (typeof error === "object" && error !== null && isRecoverableError(error as Error)) {
    return { text: `check that etcd answers at ${where}`, retryable: true };
  }
  return { text: `check etcd at ${where} and its logs`, retryable: true };
}

/**
 * Wraps what an etcd call threw into a RegistryError whose message names the call and says what
 * to check, keeping the original as `cause`. `retryable` is false for rejected credentials,
 * missing permissions and a server that is not etcd v3; true otherwise. Messages never hold
 * credentials (etcd3's do not either).
 */
export function toRegistryError(error: unknown, what: string, endpoints: readonly string[]): RegistryError {
  if (error instanceof RegistryError) return error;
  // Errors of streams reach us as gRPC's plain errors; etcd3 types those of unary calls itself.
  const typed = error instanceof Error ? castGrpcError(error) : error;
  const message = typed instanceof Error ? typed.message : String(typed);
  const { text, retryable } = advice(typed, endpoints);
  return new RegistryError(`etcd: ${what} failed: ${message}; ${text}`, { cause: error, retryable });
}
