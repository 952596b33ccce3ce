// The demo's output: a table per balancer and transport on the console, and an HTML report with
// an SVG chart of the share of calls per instance and the latency percentiles.
import { mkdirSync, writeFileSync } from "node:fs";

const pct = (x) => `${(x * 100).toFixed(1)}%`;
const ms = (x) => `${x.toFixed(1)} ms`;

export function printTables(summaries, log = console.log) {
  for (const s of summaries) {
    log(
      `\n${s.balancer} over ${s.transport}: ${s.requests} calls, ${s.errors} errors, p50 ${ms(s.p50)}, p99 ${ms(s.p99)}`,
    );
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
}

const COLORS = ["#3182bd", "#6baed6", "#9ecae1", "#31a354", "#fd8d3c", "#e6550d", "#756bb1"];

function chart(summaries) {
  const rowHeight = 26;
  const left = 120;
  const width = 520;
  const height = summaries.length * rowHeight + 60;
  const instances = summaries[0].instances;
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 230}" height="${height}" font-family="system-ui, sans-serif" font-size="12">`;
  svg += `<title>Switchyard demo: share of calls per instance, per balancer and transport</title>`;
  svg += `<rect width="${left + width + 230}" height="${height}" fill="white"/>`;
  svg += `<text x="${left}" y="16" font-weight="600">Share of calls per instance</text>`;
  summaries.forEach((s, row) => {
    const y = 30 + row * rowHeight;
    svg += `<text x="${left - 8}" y="${y + 14}" text-anchor="end">${s.balancer} / ${s.transport}</text>`;
    let x = left;
    s.instances.forEach((i, k) => {
      const w = i.share * width;
      if (w > 0) {
        svg += `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${rowHeight - 6}" fill="${COLORS[k % COLORS.length]}"><title>${i.id}: ${pct(i.share)}</title></rect>`;
        if (w > 26)
          svg += `<text x="${(x + w / 2).toFixed(1)}" y="${y + 14}" text-anchor="middle" fill="white">${i.id}</text>`;
      }
      x += w;
    });
    svg += `<text x="${left + width + 10}" y="${y + 14}">p50 ${ms(s.p50)} · p99 ${ms(s.p99)} · ${s.errors} errors</text>`;
  });
  const legendY = 30 + summaries.length * rowHeight + 8;
  instances.forEach((i, k) => {
    const x = left + k * 74;
    svg += `<rect x="${x}" y="${legendY}" width="10" height="10" fill="${COLORS[k % COLORS.length]}"/><text x="${x + 14}" y="${legendY + 9}">${i.id} ${i.version}</text>`;
  });
  return `${svg}</svg>`;
}

function flakyTable(summaries) {
  const flaky = summaries[0]?.flaky;
  if (flaky === undefined) return "";
  const rows = summaries
    .map(
      (s) =>
        `<tr><td>${s.balancer}</td><td>${s.transport}</td><td>${pct(s.flaky.share)}</td><td>${pct(s.flaky.twin.share)}</td><td>${s.flaky.errors}</td></tr>`,
    )
    .join("\n");
  return `<h2>The flaky instance</h2>
<p>${flaky.id} (${flaky.note}) against its healthy twin ${flaky.twin.id} (same version, weight and speed).</p>
<table><tr><th>balancer</th><th>transport</th><th>${flaky.id} share</th><th>${flaky.twin.id} share</th><th>${flaky.id} errors</th></tr>
${rows}
</table>`;
}

export function writeReport(summaries, directory, health) {
  mkdirSync(directory, { recursive: true });
  const rows = summaries
    .flatMap((s) =>
      s.instances.map(
        (i) =>
          `<tr><td>${s.balancer}</td><td>${s.transport}</td><td>${i.id}</td><td>${i.version}</td><td>${i.weight}</td><td>${pct(i.share)}</td><td>${i.errors}</td><td>${i.note}</td></tr>`,
      ),
    )
    .join("\n");
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Switchyard demo</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse}td,th{padding:2px 10px;border-bottom:1px solid #eee;text-align:left}</style>
</head><body><h1>Switchyard demo</h1>
<p>Each balancer routed the same traffic over HTTP and gRPC to a helloworld fleet: two versions, uneven weights, one slow instance, one that fails a quarter of its calls; a quarter of the calls asked for 2.0.0 only; halfway, i2 left and i7 joined. Endpoint health was ${health ? "on" : "off"}.</p>
${chart(summaries)}
${flakyTable(summaries)}
<table><tr><th>balancer</th><th>transport</th><th>instance</th><th>version</th><th>weight</th><th>share</th><th>errors</th><th>note</th></tr>
${rows}
</table></body></html>`;
  const htmlPath = `${directory}/report.html`;
  writeFileSync(htmlPath, html);
  writeFileSync(`${directory}/chart.svg`, chart(summaries));
  return htmlPath;
}
