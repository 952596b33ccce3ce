// Hand-written SVG charts: latency percentiles per balancer (log scale), and the faulty backends'
// share of traffic over time.

const PERCENTILES = [
  ["p50", "p50", "#9ecae1"],
  ["p90", "p90", "#4292c6"],
  ["p99", "p99", "#08519c"],
  ["p999", "p99.9", "#08306b"],
];
const LINE_COLORS = {
  rr: "#969696",
  jsq: "#31a354",
  sed: "#74c476",
  wrr: "#bdbdbd",
  random: "#fdae6b",
  "p2c-kratos": "#e6550d",
  "p2c-linear": "#3182bd",
};
const FONT = 'font-family="system-ui, sans-serif"';

const xml = (text) => String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const fmt = (v) => (v >= 100 ? String(Math.round(v)) : v >= 10 ? v.toFixed(0) : v.toFixed(1));

/** Splits `text` into lines of at most `width` characters, at spaces. */
function wrap(text, width) {
  const lines = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines;
}

/** The description under a chart's title, wrapped; returns the SVG and the height it takes. */
function subtitle(text, x) {
  const lines = wrap(text, 105);
  const svg = lines.map((l, i) => `<text x="${x}" y="${40 + i * 15}" fill="#555">${xml(l)}</text>`);
  return { svg, extra: (lines.length - 1) * 15 };
}

/** A round step (1, 2, 2.5 or 5 × 10^k) that cuts [0, max] into about `count` parts. */
function niceStep(max, count) {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

/** Ticks 1, 2, 5 × 10^k within [lo, hi]. */
function logTicks(lo, hi) {
  const ticks = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) ticks.push(v);
    }
  }
  return ticks;
}

/** Grouped bars: for each balancer, its p50, p90, p99 and p99.9 in ms, on a log axis. */
export function latencyChart(scenario, summaries) {
  const sub = subtitle(scenario.description, 60);
  const width = Math.max(760, 80 + summaries.length * 95); // room for each balancer's name
  const height = 380 + sub.extra;
  const left = 60;
  const right = 20;
  const top = 50 + sub.extra;
  const bottom = 60;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const values = summaries.flatMap((s) => PERCENTILES.map(([k]) => s[k])).filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values)));
  const hi = Math.max(...values) * 1.4;
  const y = (v) =>
    top + plotH - ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotH;
  const group = plotW / summaries.length;
  const bar = (group * 0.8) / PERCENTILES.length;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${left}" y="22" font-size="15" font-weight="600">${xml(scenario.title)}: latency percentiles (ms, log scale)</text>`,
    ...sub.svg,
  ];
  for (const t of logTicks(lo, hi)) {
    parts.push(
      `<line x1="${left}" x2="${width - right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#e5e5e5"/>`,
      `<text x="${left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" fill="#555">${fmt(t)}</text>`,
    );
  }
  summaries.forEach((s, g) => {
    const x0 = left + g * group + group * 0.1;
    PERCENTILES.forEach(([key, label, color], i) => {
      const v = s[key];
      const yv = y(Math.max(v, lo));
      parts.push(
        `<rect x="${(x0 + i * bar).toFixed(1)}" y="${yv.toFixed(1)}" width="${(bar - 1).toFixed(1)}" height="${(top + plotH - yv).toFixed(1)}" fill="${color}"><title>${xml(`${s.balancer} ${label}: ${fmt(v)} ms`)}</title></rect>`,
      );
    });
    const errors =
      s.errorRate > 0 ? `errors ${(s.errorRate * 100).toFixed(s.errorRate < 0.01 ? 3 : 2)}%` : "no errors";
    parts.push(
      `<text x="${(left + (g + 0.5) * group).toFixed(1)}" y="${top + plotH + 18}" text-anchor="middle" font-weight="600">${xml(s.balancer)}</text>`,
      `<text x="${(left + (g + 0.5) * group).toFixed(1)}" y="${top + plotH + 34}" text-anchor="middle" fill="#555">${errors}</text>`,
    );
  });
  PERCENTILES.forEach(([, label, color], i) => {
    const x = width - right - (PERCENTILES.length - i) * 62;
    parts.push(
      `<rect x="${x}" y="${height - 16}" width="10" height="10" fill="${color}"/>`,
      `<text x="${x + 14}" y="${height - 7}">${label}</text>`,
    );
  });
  parts.push(
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#333"/>`,
    `<line x1="${left}" x2="${width - right}" y1="${top + plotH}" y2="${top + plotH}" stroke="#333"/>`,
    "</svg>",
  );
  return `${parts.join("\n")}\n`;
}

/** Lines: the share of picks that went to the faulty backends, per 250 ms, per balancer. */
export function shareChart(scenario, summaries) {
  const lines = summaries.filter((s) => s.timeline !== undefined);
  if (lines.length === 0) return undefined;
  const { stepMs, fair } = lines[0].timeline;
  const width = 760;
  const height = 340;
  const left = 60;
  const right = 130;
  const top = 50;
  const bottom = 40;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const duration = scenario.durationMs;
  const maxShare = Math.min(1, Math.max(fair * 2, ...lines.flatMap((s) => s.timeline.points)) * 1.05);
  const x = (ms) => left + (ms / duration) * plotW;
  const y = (share) => top + plotH - (share / maxShare) * plotH;
  const fault = scenario.faults[0];
  const key = fault.nodes.join(",");
  const spans = scenario.faults.filter((f) => f.nodes.join(",") === key);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${left}" y="22" font-size="15" font-weight="600">${xml(scenario.title)}: share of traffic to the ${fault.kind === "join" ? "joining" : "faulty"} backend${fault.nodes.length > 1 ? "s" : ""}</text>`,
    `<text x="${left}" y="40" fill="#555">per ${stepMs} ms; dashed: fair share (${(fair * 100).toFixed(1)}%); shaded: the fault${spans.length > 1 ? "s" : ""}</text>`,
  ];
  // A join has no end (to the end of the run, the backend is the one to watch): no shading.
  for (const f of fault.kind === "join" ? [] : spans) {
    const to = Math.min(f.to, duration);
    parts.push(
      `<rect x="${x(f.from).toFixed(1)}" y="${top}" width="${(x(to) - x(f.from)).toFixed(1)}" height="${plotH}" fill="#fee0d2" opacity="0.6"/>`,
    );
  }
  const step = niceStep(maxShare, 4);
  for (let share = 0; share <= maxShare + 1e-12; share += step) {
    const label = Number((share * 100).toFixed(2));
    parts.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${y(share).toFixed(1)}" y2="${y(share).toFixed(1)}" stroke="#eee"/>`,
      `<text x="${left - 6}" y="${(y(share) + 4).toFixed(1)}" text-anchor="end" fill="#555">${label}%</text>`,
    );
  }
  for (let s = 0; s <= duration / 1000; s += duration > 20_000 ? 5 : 2) {
    parts.push(
      `<text x="${x(s * 1000).toFixed(1)}" y="${top + plotH + 16}" text-anchor="middle" fill="#555">${s} s</text>`,
    );
  }
  parts.push(
    `<line x1="${left}" x2="${left + plotW}" y1="${y(fair).toFixed(1)}" y2="${y(fair).toFixed(1)}" stroke="#333" stroke-dasharray="4 4"/>`,
  );
  lines.forEach((s, i) => {
    // A row built with health: false has its balancer's colour, dashed.
    const base = s.balancer.replace(/-nohealth$/, "");
    const color = LINE_COLORS[base] ?? "#000";
    const dash = base === s.balancer ? "" : ' stroke-dasharray="5 3"';
    const points = s.timeline.points
      .map((share, k) => `${x((k + 0.5) * stepMs).toFixed(1)},${y(share).toFixed(1)}`)
      .join(" ");
    const strong = s.balancer.startsWith("p2c") || s.balancer === "jsq" || s.balancer === "sed";
    parts.push(
      `<polyline points="${points}" fill="none" stroke="${color}" stroke-width="${strong ? 2 : 1.2}"${dash}/>`,
      `<line x1="${left + plotW + 12}" x2="${left + plotW + 32}" y1="${top + 10 + i * 18}" y2="${top + 10 + i * 18}" stroke="${color}" stroke-width="2"${dash}/>`,
      `<text x="${left + plotW + 38}" y="${top + 14 + i * 18}">${xml(s.balancer)}</text>`,
    );
  });
  parts.push(
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#333"/>`,
    `<line x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}" stroke="#333"/>`,
    "</svg>",
  );
  return `${parts.join("\n")}\n`;
}
