import type { ServiceInstance } from "@switchyard/api";

/** An instance of `service` numbered `n`, with every field set; `patch` overrides fields. */
export function instance(
  n: number,
  patch: Partial<ServiceInstance> = {},
  service = "helloworld",
): ServiceInstance {
  return {
    id: `${service}-${n}`,
    name: service,
    version: "1.0.0",
    metadata: { zone: `zone-${n}` },
    endpoints: [`http://10.0.0.${n}:8000`, `grpc://10.0.0.${n}:9000`],
    ...patch,
  };
}

/** The ids of a list, in order. */
export const ids = (list: readonly ServiceInstance[]): string[] => list.map((i) => i.id);

/** Watches a promise so a test can ask, after flushing, whether it has settled and how. */
export function track<T>(promise: Promise<T>): { settled: boolean; value?: T; error?: unknown } {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}
