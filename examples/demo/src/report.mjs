// The demo's HTML report, self-contained (inline SVG and CSS, nothing fetched): who does what in the
// story, the share of calls per run, each run's share over time with the story's events and the
// health layer's ejections, latency per run, the flaky instance against its twin, and every count;
// beside it, the share chart (chart.svg) and each run's timeline (timeline-<balancer>-<transport>.svg).
import { mkdirSync, writeFileSync } from "node:fs";
import { escapeXml, legendChart, shareChart, timelineChart } from "./charts.mjs";
import { FAULTS_AT, MEMBERSHIP_AT } from "./scenario.mjs";
import { healthLine, pct, storyLine } from "./tables.mjs";

export { printTables } from "./tables.mjs";

function cast(instances) {
  const rows = instances
    .map(
      (i) =>
        `<tr${i.role ? ` class="role"` : ""}><td>${i.id}</td><td>${i.version}</td><td>${i.weight}</td><td>${escapeXml(i.note || "healthy throughout")}</td></tr>`,
    )
    .join("\n");
  return `<table><tr><th>instance</th><th>version</th><th>weight</th><th>in the story</th></tr>
${rows}
</table>`;
}

function latencyTable(summaries) {
  const rows = summaries
    .map(
      (s) =>
        `<tr><td>${s.balancer}</td><td>${s.transport}</td>${[s.p50, s.p95, s.p99, s.mean].map((v) => `<td class="n">${v.toFixed(1)}</td>`).join("")}<td class="n">${s.errors}</td></tr>`,
    )
    .join("\n");
  return `<h2>Latency per run</h2>
<p>Every answered call, from send to reply, in ms; the injected failures answer as fast as a healthy instance and count here.</p>
<table><tr><th>balancer</th><th>transport</th><th class="n">p50</th><th class="n">p95</th><th class="n">p99</th><th class="n">mean</th><th class="n">errors</th></tr>
${rows}
</table>`;
}

function flakyTable(summaries) {
  const flaky = summaries[0]?.flaky;
  if (flaky === undefined) return "";
  const rows = summaries
    .map(
      (s) =>
        `<tr><td>${s.balancer}</td><td>${s.transport}</td><td class="n">${pct(s.flaky.share)}</td><td class="n">${pct(s.flaky.twin.share)}</td><td class="n">${s.flaky.errors}</td></tr>`,
    )
    .join("\n");
  return `<h2>The flaky instance</h2>
<p>${flaky.id} (${escapeXml(flaky.note)}) against its healthy twin ${flaky.twin.id} (same version, weight and speed), over the whole run.</p>
<table><tr><th>balancer</th><th>transport</th><th class="n">${flaky.id} share</th><th class="n">${flaky.twin.id} share</th><th class="n">${flaky.id} errors</th></tr>
${rows}
</table>`;
}

function timelines(summaries, health) {
  const panels = summaries
    .map(
      (s) =>
        `<figure>${timelineChart(s)}<figcaption>story: ${escapeXml(storyLine(s.events))}<br>health: ${escapeXml(healthLine(s.events))}</figcaption></figure>`,
    )
    .join("\n");
  return `<h2>Share of calls over time</h2>
<p>Each bar is one window of calls, split by the instance that answered. Dashed lines: the story's events. Dark lanes below: the time an instance spent ejected by endpoint health${health ? "" : " (off in this run: none)"}; a gRPC run has one selector per channel (#1 all calls, #2 the 2.0.0-only calls), each with its own health.</p>
${legendChart(summaries[0].instances)}
<div class="grid">
${panels}
</div>`;
}

export function writeReport(summaries, directory, health) {
  mkdirSync(directory, { recursive: true });
  const rows = summaries
    .flatMap((s) =>
      s.instances.map(
        (i) =>
          `<tr><td>${s.balancer}</td><td>${s.transport}</td><td>${i.id}</td><td>${i.version}</td><td class="n">${i.weight}</td><td class="n">${pct(i.share)}</td><td class="n">${i.errors}</td><td>${escapeXml(i.note)}</td></tr>`,
      ),
    )
    .join("\n");
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Switchyard demo</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:1300px}table{border-collapse:collapse;margin-bottom:1rem}td,th{padding:2px 10px;border-bottom:1px solid #eee;text-align:left}.n{text-align:right;font-variant-numeric:tabular-nums}tr.role td{background:#fff7e6}.grid{display:flex;flex-wrap:wrap;gap:0 1rem}figure{margin:0 0 1rem}figcaption{font-size:12px;color:#555;max-width:600px}</style>
</head><body><h1>Switchyard demo</h1>
<p>Each balancer routed the same traffic over HTTP and gRPC to a helloworld fleet of two versions with uneven weights; a quarter of the calls asked for 2.0.0 only. At ${FAULTS_AT * 100}% of each run one instance turned slow and one started failing; at ${MEMBERSHIP_AT * 100}%, one left and one joined. Endpoint health was ${health ? "on" : "off"}.</p>
${cast(summaries[0].instances)}
${shareChart(summaries)}
${timelines(summaries, health)}
${latencyTable(summaries)}
${flakyTable(summaries)}
<h2>Every count</h2>
<table><tr><th>balancer</th><th>transport</th><th>instance</th><th>version</th><th class="n">weight</th><th class="n">share</th><th class="n">errors</th><th>note</th></tr>
${rows}
</table></body></html>`;
  const htmlPath = `${directory}/report.html`;
  writeFileSync(htmlPath, html);
  writeFileSync(`${directory}/chart.svg`, shareChart(summaries));
  for (const s of summaries) {
    writeFileSync(
      `${directory}/timeline-${s.balancer}-${s.transport}.svg`,
      timelineChart(s, { legend: true }),
    );
  }
  return htmlPath;
}
