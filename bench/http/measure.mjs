// How one side of a pair is measured: CPU time per call over a fixed time, and bytes allocated on
// the JS heap per call over a fixed number of calls, each with CONCURRENCY calls in flight.
import v8 from "node:v8";

export const CONCURRENCY = 32;

/**
 * Runs `call` with CONCURRENCY calls in flight for `ms`: { calls, cpuUs, wallMs }. `cpuUs` is this
 * process's CPU time (user + system, every thread: undici, the parser, the GC); the servers run in
 * another process.
 */
export async function cpuSlice(call, ms) {
  let calls = 0;
  const deadline = performance.now() + ms;
  const lane = async () => {
    while (performance.now() < deadline) {
      await call();
      calls++;
    }
  };
  const started = performance.now();
  const before = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  const used = process.cpuUsage(before);
  return { calls, cpuUs: used.user + used.system, wallMs: performance.now() - started };
}

/**
 * Sends `count` calls with CONCURRENCY in flight and returns the bytes allocated on the JS heap per
 * call: what the heap holds at the end minus what it held at the start, plus what every garbage
 * collection in between freed (read from `v8.GCProfiler`, which reports the heap before and after
 * each collection). Buffers' backing stores (socket reads) live outside the JS heap and are not
 * counted.
 */
export async function allocPerCall(call, count) {
  let started = 0;
  const lane = async () => {
    while (started < count) {
      started++;
      await call();
    }
  };
  const profiler = new v8.GCProfiler();
  profiler.start();
  const before = v8.getHeapStatistics().used_heap_size;
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  const after = v8.getHeapStatistics().used_heap_size;
  let freed = 0;
  for (const gc of profiler.stop().statistics) {
    freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
  }
  return (after - before + freed) / started;
}
