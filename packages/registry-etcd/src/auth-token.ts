// etcd3 trades the user and password for an auth token (etcd's Authenticate call) and keeps it to
// itself. To keep that token out of every message, the registry watches the Authenticate reply
// through a gRPC call interceptor and adds the token to its secrets before etcd3 ever sends it.
import type { SecretSet } from "@switchyard/kit";

/** The parts of grpc-js's InterceptingCall and its listener that are wrapped here. */
interface Listener {
  onReceiveMetadata?(metadata: unknown): void;
  onReceiveMessage?(message: unknown): void;
  onReceiveStatus?(status: unknown): void;
}
interface Call {
  start(metadata: unknown, listener?: Listener): void;
}

/**
 * A grpc-js call interceptor (for the call options of etcd's Authenticate) that adds the token of
 * each reply to `secrets`. The call it returns is the next one with `start` wrapped, so this needs
 * no import of grpc-js, which is etcd3's dependency, not this package's.
 */
export function learnAuthTokens(secrets: SecretSet) {
  return (options: unknown, nextCall: (options: unknown) => Call): Call => {
    const call = nextCall(options);
    const start = (metadata: unknown, listener?: Listener): void =>
      call.start(metadata, {
        onReceiveMetadata: (received) => listener?.onReceiveMetadata?.(received),
        onReceiveMessage: (message) => {
          const token = (message as { token?: unknown } | null)?.token;
          if (typeof token === "string") secrets.add(token);
          listener?.onReceiveMessage?.(message);
        },
        onReceiveStatus: (status) => listener?.onReceiveStatus?.(status),
      });
    return new Proxy(call, {
      get(target, name) {
        if (name === "start") return start;
        const value: unknown = Reflect.get(target, name);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  };
}
