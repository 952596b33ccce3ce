// How one side of a pair is measured: CPU time of the client thread per call over a fixed time, and
// bytes allocated on the client's JS heap per call over a fixed number of calls, each with
// CONCURRENCY calls in flight.
import { readFileSync } from "node:fs";
import v8 from "node:v8";

export const CONCURRENCY = 32;

const SCHEDSTAT = `/proc/${process.pid}/task/${process.pid}/schedstat`;

/**
 * CPU time of this process's main thread, µs: the client (grpc-js, our code, the HTTP/2 session),
 * not the servers' worker thread. Linux's schedstat gives it in ns; elsewhere the whole process's
 * time stands in (then the servers' thread is counted too, on both sides alike).
 */
export const threadCpuUs = (() => {
  try {
    readFileSync(SCHEDSTAT, "latin1");
    return () => Number(readFileSync(SCHEDSTAT, "latin1").split(" ", 1)[0]) / 1000;
  } catch {
    return () => {
      const used = process.cpuUsage();
      return used.user + used.system;
    };
  }
})();

/** Runs `call` with CONCURRENCY calls in flight for `ms`: { calls, cpuUs, wallMs }. */
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
  const before = threadCpuUs();
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  const cpuUs = threadCpuUs() - before;
  return { calls, cpuUs, wallMs: performance.now() - started };
}

/**
 * Sends `count` calls with CONCURRENCY in flight and returns the bytes allocated on the client's JS
 * heap per call: what the heap holds at the end minus what it held at the start, plus what every
 * garbage collection in between freed (`v8.GCProfiler` reports the heap before and after each
 * one). The servers' thread has a heap of its own, not counted; so are Buffers' backing stores.
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
