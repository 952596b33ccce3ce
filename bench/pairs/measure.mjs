// How one side of a pair is measured (bench/http and bench/grpc): CPU time per call over a fixed
// time, and bytes allocated on the JS heap per call over a fixed number of calls, each with
// CONCURRENCY calls in flight.
import { readFileSync } from "node:fs";
import v8 from "node:v8";

export const CONCURRENCY = 32;

/** This process's CPU time, µs: user + system, every thread (the servers then run elsewhere). */
export function processCpuUs() {
  const used = process.cpuUsage();
  return used.user + used.system;
}

const SCHEDSTAT = `/proc/${process.pid}/task/${process.pid}/schedstat`;

/**
 * CPU time of this process's main thread, µs: the client alone when the servers run in a worker
 * thread of the same process. Linux's schedstat gives it in ns; elsewhere the whole process's time
 * stands in (then the servers' thread is counted too, on both sides alike).
 */
export const threadCpuUs = (() => {
  try {
    readFileSync(SCHEDSTAT, "latin1");
    return () => Number(readFileSync(SCHEDSTAT, "latin1").split(" ", 1)[0]) / 1000;
  } catch {
    return processCpuUs;
  }
})();

/** Runs `call` with CONCURRENCY calls in flight for `ms`: { calls, cpuUs, wallMs }, CPU read by `cpuUs`. */
export async function cpuSlice(call, ms, cpuUs) {
  let calls = 0;
  const deadline = performance.now() + ms;
  const lane = async () => {
    while (performance.now() < deadline) {
      await call();
      calls++;
    }
  };
  const started = performance.now();
  const before = cpuUs();
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return { calls, cpuUs: cpuUs() - before, wallMs: performance.now() - started };
}

/**
 * Starts counting the bytes allocated on this thread's JS heap; the function it returns stops and
 * gives them: what the heap holds at the end minus what it held at the start, plus what every
 * garbage collection in between freed (`v8.GCProfiler` reports the heap before and after each
 * one). A worker thread's heap is its own, not counted; so are Buffers' backing stores (socket
 * reads live outside the JS heap).
 */
export function heapMeter() {
  const profiler = new v8.GCProfiler();
  profiler.start();
  const before = v8.getHeapStatistics().used_heap_size;
  return () => {
    const after = v8.getHeapStatistics().used_heap_size;
    let freed = 0;
    for (const gc of profiler.stop().statistics) {
      freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
    }
    return after - before + freed;
  };
}

/** Sends `count` calls with CONCURRENCY in flight: the bytes allocated per call ({@link heapMeter}). */
export async function allocPerCall(call, count) {
  let started = 0;
  const lane = async () => {
    while (started < count) {
      started++;
      await call();
    }
  };
  const stop = heapMeter();
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return stop() / started;
}
