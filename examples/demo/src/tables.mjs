// The demo's console output: per run, a line of totals and latency, the story's events and the
// health layer's, and a table per instance; then the flaky instance's share against its twin's and
// the latency of every run side by side.

export const pct = (x) => `${(x * 100).toFixed(1)}%`;
export const ms = (x) => `${x.toFixed(1)} ms`;
export const seconds = (at) => `${(at / 1000).toFixed(2)} s`;

/** The story's steps of a run, grouped by time: `0.75 s: i5 turns slow (40 ms), i6 starts failing 25%`. */
export function storyLine(events) {
  const groups = new Map();
  for (const e of events) {
    if (e.label === undefined) continue;
    const at = seconds(e.at);
    groups.set(at, [...(groups.get(at) ?? []), e.label]);
  }
  return [...groups].map(([at, labels]) => `${at}: ${labels.join(", ")}`).join("; ");
}

/**
 * The health layer's transitions of a run, per instance in time order:
 * `i6 out 1.02 s (success-rate), back 2.03 s`. When a second selector logged any (a gRPC run has
 * one per channel), each names the selector that saw it: `i6 #1 out 1.02 s (…), #2 out 1.10 s (…)`.
 */
export function healthLine(events) {
  const health = events.filter((e) => e.kind === "ejected" || e.kind === "returned");
  if (health.length === 0) return "no ejections";
  const several = health.some((e) => e.selector > 1);
  const ids = [...new Set(health.map((e) => e.id))].sort();
  return ids
    .map((id) => {
      const parts = health
        .filter((e) => e.id === id)
        .map((e) => {
          const who = several ? `#${e.selector} ` : "";
          return e.kind === "ejected"
            ? `${who}out ${seconds(e.at)} (${e.reason})`
            : `${who}back ${seconds(e.at)}`;
        });
      return `${id} ${parts.join(", ")}`;
    })
    .join("; ");
}

export function printTables(summaries, log = console.log) {
  for (const s of summaries) {
    log(`\n${s.balancer} over ${s.transport}: ${s.requests} calls, ${s.errors} errors, ${latencyText(s)}`);
    log(`  story:  ${storyLine(s.events)}`);
    log(`  health: ${healthLine(s.events)}`);
    log("  instance  version  weight   share  errors  note");
    for (const i of s.instances) {
      log(
        `  ${i.id.padEnd(8)}  ${i.version.padEnd(7)}  ${String(i.weight).padStart(6)}  ${pct(i.share).padStart(6)}  ${String(i.errors).padStart(6)}  ${i.note}`,
      );
    }
    if (s.misrouted + s.broken > 0)
      log(`  ROUTING BROKE: ${s.misrouted} misrouted, ${s.broken} failed: ${s.examples.join("; ")}`);
  }
  const flaky = summaries[0]?.flaky;
  if (flaky === undefined) return;
  log(
    `\nthe flaky instance ${flaky.id} (${flaky.note}) and its healthy twin ${flaky.twin.id}, share of calls:`,
  );
  log(`  run           ${flaky.id.padStart(6)}  ${flaky.twin.id.padStart(6)}  ${flaky.id} errors`);
  for (const s of summaries) {
    log(
      `  ${`${s.balancer}/${s.transport}`.padEnd(12)}  ${pct(s.flaky.share).padStart(6)}  ${pct(s.flaky.twin.share).padStart(6)}  ${String(s.flaky.errors).padStart(9)}`,
    );
  }
  log("\nlatency of every answered call (ms; injected failures answer as fast as a healthy instance):");
  log("  run              p50     p95     p99    mean");
  for (const s of summaries) {
    const cells = [s.p50, s.p95, s.p99, s.mean].map((x) => x.toFixed(1).padStart(6)).join("  ");
    log(`  ${`${s.balancer}/${s.transport}`.padEnd(13)}  ${cells}`);
  }
}

export function latencyText(s) {
  return `p50 ${ms(s.p50)}, p95 ${ms(s.p95)}, p99 ${ms(s.p99)}, mean ${ms(s.mean)}`;
}
