import { RegistryError } from "@switchyard/api";
import { errorMessage, type SecretSet } from "@switchyard/kit";
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

/** Where a call went, and what its errors must never show. */
export interface ErrorSource {
  readonly endpoints: readonly string[];
  readonly settings: { readonly secrets: SecretSet };
}

/**
 * Wraps what an etcd call threw into a RegistryError whose message names the call and says what
 * to check, keeping the original as `cause`. `retryable` is false for rejected credentials,
 * missing permissions and a server that is not etcd v3; true otherwise. The message and the cause
 * are cleaned of the password, the auth token and the TLS key, whatever the server echoed.
 */
export function toRegistryError(error: unknown, what: string, source: ErrorSource): RegistryError {
  const { secrets } = source.settings;
  if (error instanceof RegistryError) {
    if (secrets.scrub(error) === error) return error;
    const cause = error.cause === undefined ? {} : { cause: secrets.scrub(error.cause) };
    return new RegistryError(secrets.redact(error.message), { ...cause, retryable: error.retryable });
  }
  // Errors of streams reach us as gRPC's plain errors; etcd3 types those of unary calls itself.
  const typed = error instanceof Error ? castGrpcError(error) : error;
  const message = secrets.redact(errorMessage(typed));
  const { text, retryable } = advice(typed, source.endpoints);
  return new RegistryError(`etcd: ${what} failed: ${message}; ${text}`, {
    cause: secrets.scrub(error),
    retryable,
  });
}
