// The report's SVG charts: the share of calls per instance for every run, and each run's share of
// calls over time with the story's events and the health layer's ejections marked on it.
import { ms, pct } from "./tables.mjs";

/** Healthy instances take blues and greens in turn; an instance with a role in the story stands out. */
const HEALTHY_COLORS = ["#3182bd", "#6baed6", "#31a354", "#9ecae1", "#74c476"];
const ROLE_COLORS = { slow: "#fd8d3c", fails: "#de2d26", leaves: "#969696", joins: "#756bb1" };
const EJECTED = "#252525";
const FONT = `font-family="system-ui, sans-serif" font-size="12"`;

/** Each instance's colour, in order: its role's, else the next healthy one. */
export function colorsOf(instances) {
  let healthy = 0;
  return instances.map((i) => ROLE_COLORS[i.role] ?? HEALTHY_COLORS[healthy++ % HEALTHY_COLORS.length]);
}

export const escapeXml = (text) =>
  String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

/** One legend entry per instance: its colour, id, version and role in the story. */
function legend(instances, x0, y, perRow = 4, width = 150) {
  const colors = colorsOf(instances);
  return instances
    .map((i, k) => {
      const x = x0 + (k % perRow) * width;
      const row = y + Math.floor(k / perRow) * 16;
      const role = i.role ? ` · ${i.role}` : "";
      return `<rect x="${x}" y="${row}" width="10" height="10" fill="${colors[k]}"/><text x="${x + 14}" y="${row + 9}">${i.id} ${i.version}${role}</text>`;
    })
    .join("");
}

/** Share of calls per instance, a bar per run, with the run's latency beside it. */
export function shareChart(summaries) {
  const rowHeight = 26;
  const left = 120;
  const width = 520;
  const instances = summaries[0].instances;
  const colors = colorsOf(instances);
  const legendRows = Math.ceil(instances.length / 4);
  const height = summaries.length * rowHeight + 48 + legendRows * 16;
  const total = left + width + 300;
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${total}" height="${height}" ${FONT}>`;
  svg += `<title>Switchyard demo: share of calls per instance, per balancer and transport</title>`;
  svg += `<rect width="${total}" height="${height}" fill="white"/>`;
  svg += `<text x="${left}" y="16" font-weight="600">Share of calls per instance</text>`;
  svg += `<text x="${left + width + 10}" y="16" font-weight="600">latency p50 · p95 · p99 · mean</text>`;
  summaries.forEach((s, row) => {
    const y = 26 + row * rowHeight;
    svg += `<text x="${left - 8}" y="${y + 14}" text-anchor="end">${s.balancer} / ${s.transport}</text>`;
    let x = left;
    s.instances.forEach((i, k) => {
      const w = i.share * width;
      if (w > 0) {
        svg += `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${rowHeight - 6}" fill="${colors[k]}"><title>${i.id}: ${pct(i.share)}</title></rect>`;
        if (w > 26)
          svg += `<text x="${(x + w / 2).toFixed(1)}" y="${y + 14}" text-anchor="middle" fill="white">${i.id}</text>`;
      }
      x += w;
    });
    svg += `<text x="${left + width + 10}" y="${y + 14}">${[s.p50, s.p95, s.p99, s.mean].map((v) => v.toFixed(1)).join(" · ")} ms · ${s.errors} errors</text>`;
  });
  svg += legend(instances, left, 26 + summaries.length * rowHeight + 8);
  return `${svg}</svg>`;
}

const SHORT = { slow: "slow", fails: "fails", leaves: "leaves", joins: "joins" };

/** The story's events grouped by time: `[{ at, text }]`, `text` like "i5 slow, i6 fails". */
export function storyMarks(events) {
  const marks = [];
  for (const e of events) {
    if (!(e.kind in SHORT)) continue;
    const last = marks.at(-1);
    const text = `${e.id} ${SHORT[e.kind]}`;
    if (last !== undefined && e.at - last.at < 1) last.text += `, ${text}`;
    else marks.push({ at: e.at, text });
  }
  return marks;
}

/**
 * The spans each instance spent ejected, per selector: `[{ id, selector, from, to, reason }]`,
 * `to` the return or `end` when the run ended first. A return with no ejection before it is
 * dropped.
 */
export function ejectionSpans(events, end) {
  const open = new Map();
  const spans = [];
  for (const e of events) {
    const key = `${e.id}#${e.selector}`;
    if (e.kind === "ejected" && !open.has(key)) {
      open.set(key, { id: e.id, selector: e.selector, from: e.at, to: end, reason: e.reason });
    } else if (e.kind === "returned" && open.has(key)) {
      spans.push({ ...open.get(key), to: e.at });
      open.delete(key);
    }
  }
  return [...spans, ...open.values()].sort((a, b) => a.from - b.from);
}

/**
 * One run's share of calls over time: stacked bars per window, story lines, ejection lanes; with
 * `legend`, the instances' colours below (for the chart on its own, outside the report).
 */
export function timelineChart(s, { legend: withLegend = false } = {}) {
  const left = 44;
  const plotWidth = 540;
  const top = 40;
  const plotHeight = 120;
  const { windowMs, windows } = s.timeline;
  const colors = colorsOf(s.instances);
  const span = Math.max(windows.length * windowMs, 1);
  const x = (t) => left + (Math.min(t, span) / span) * plotWidth;
  const spans = ejectionSpans(s.events, span);
  const lanes = [...new Set(spans.map((e) => `${e.id}#${e.selector}`))].sort();
  const several = spans.some((e) => e.selector > 1);
  const lanesTop = top + plotHeight + 26;
  const legendTop = lanesTop + Math.max(lanes.length, 1) * 14 + 8;
  const height = legendTop + (withLegend ? legendHeight(s.instances.length) : 0);
  const width = left + plotWidth + (withLegend ? 56 : 16); // the legend's last entry is the widest
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ${FONT}>`;
  svg += `<title>${s.balancer} over ${s.transport}: share of calls per instance per ${windowMs} ms</title>`;
  svg += `<rect width="${width}" height="${height}" fill="white"/>`;
  svg += `<text x="${left}" y="14" font-weight="600">${s.balancer} over ${s.transport}</text>`;
  svg += `<text x="${left + plotWidth}" y="14" text-anchor="end" fill="#555">share of calls per ${windowMs} ms · p50 ${ms(s.p50)} · p99 ${ms(s.p99)} · mean ${ms(s.mean)}</text>`;
  for (const w of windows) {
    let y = top + plotHeight;
    const x0 = x(w.start);
    const barWidth = Math.max(x(w.start + windowMs) - x0 - 0.5, 0.5);
    w.shares.forEach((share, k) => {
      if (share === 0) return;
      const h = share * plotHeight;
      y -= h;
      svg += `<rect x="${x0.toFixed(1)}" y="${y.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${h.toFixed(1)}" fill="${colors[k]}"><title>${s.instances[k].id}: ${pct(share)} of ${w.calls} calls from ${(w.start / 1000).toFixed(1)} s</title></rect>`;
    });
  }
  for (const [share, label] of [
    [0, "0%"],
    [0.5, "50%"],
    [1, "100%"],
  ]) {
    const y = top + plotHeight - share * plotHeight;
    svg += `<text x="${left - 6}" y="${y + 4}" text-anchor="end" fill="#555">${label}</text>`;
  }
  const step = span > 4000 ? 1000 : 500;
  for (let t = 0; t <= span; t += step) {
    svg += `<text x="${x(t).toFixed(1)}" y="${top + plotHeight + 16}" text-anchor="middle" fill="#555">${(t / 1000).toFixed(1)} s</text>`;
  }
  for (const mark of storyMarks(s.events)) {
    const mx = x(mark.at).toFixed(1);
    svg += `<line x1="${mx}" x2="${mx}" y1="${top - 6}" y2="${top + plotHeight}" stroke="#222" stroke-dasharray="4 3"/>`;
    svg += `<text x="${mx}" y="${top - 10}" text-anchor="middle">${escapeXml(mark.text)}</text>`;
  }
  if (lanes.length === 0) {
    svg += `<text x="${left}" y="${lanesTop + 10}" fill="#555">no ejections</text>`;
  }
  lanes.forEach((lane, row) => {
    const y = lanesTop + row * 14;
    const [id, selector] = lane.split("#");
    svg += `<text x="${left - 6}" y="${y + 9}" text-anchor="end" fill="#555">${id}${several ? ` #${selector}` : ""}</text>`;
    svg += `<line x1="${left}" x2="${left + plotWidth}" y1="${y + 5}" y2="${y + 5}" stroke="#eee"/>`;
    for (const e of spans.filter((sp) => `${sp.id}#${sp.selector}` === lane)) {
      const x0 = x(e.from);
      const w = Math.max(x(e.to) - x0, 2);
      svg += `<rect x="${x0.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="10" fill="${EJECTED}"><title>${id} ejected from ${(e.from / 1000).toFixed(2)} s to ${(e.to / 1000).toFixed(2)} s (${escapeXml(e.reason)})</title></rect>`;
    }
  });
  if (withLegend) svg += legendEntries(s.instances, 4, legendTop);
  return `${svg}</svg>`;
}

const legendHeight = (count) => Math.ceil((count + 1) / 4) * 16 + 4;

/** The instances' colours and roles, then the ejection lanes' colour, four to a row. */
function legendEntries(instances, x0, y0) {
  const k = instances.length;
  const x = x0 + (k % 4) * 150;
  const y = y0 + Math.floor(k / 4) * 16;
  return `${legend(instances, x0, y0)}<rect x="${x}" y="${y}" width="10" height="10" fill="${EJECTED}"/><text x="${x + 14}" y="${y + 9}">ejected by endpoint health</text>`;
}

/** The legend of the timelines, once for all of them in the report. */
export function legendChart(instances) {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="660" height="${legendHeight(instances.length)}" ${FONT}><title>Instances and their roles</title>${legendEntries(instances, 4, 2)}</svg>`;
}
