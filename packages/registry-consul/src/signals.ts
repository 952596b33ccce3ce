/**
 * A signal that aborts when either input does (AbortSignal.any is missing before Node 20.3).
 * Call `dispose` when done, so the inputs forget the listener.
 */
export function eitherSignal(
  a: AbortSignal | undefined,
  b: AbortSignal,
): { readonly signal: AbortSignal; dispose(): void } {
  if (a === undefined) return { signal: b, dispose: () => {} };
  const controller = new AbortController();
  const fromA = (): void => controller.abort(a.reason);
  const fromB = (): void => controller.abort(b.reason);
  if (a.aborted) fromA();
  else if (b.aborted) fromB();
  a.addEventListener("abort", fromA, { once: true });
  b.addEventListener("abort", fromB, { once: true });
  return {
    signal: controller.signal,
    dispose() {
      a.removeEventListener("abort", fromA);
      b.removeEventListener("abort", fromB);
    },
  };
}
