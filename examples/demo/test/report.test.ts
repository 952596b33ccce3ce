import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { timelineChart } from "../src/charts.mjs";
import { writeReport } from "../src/report.mjs";
import { RunStats } from "../src/stats.mjs";

const FLEET = [
  { id: "i1", version: "1.0.0", weight: 100, delayMs: 2, failRate: 0, httpAddress: "127.0.0.1:1001" },
  {
    id: "i2",
    version: "1.0.0",
    weight: 100,
    delayMs: 2,
    failRate: 0,
    leaves: true,
    httpAddress: "127.0.0.1:1002",
  },
  { id: "i5", version: "2.0.0", weight: 100, delayMs: 40, failRate: 0, httpAddress: "127.0.0.1:1005" },
  {
    id: "i6",
    ...{ version: "2.0.0", weight: 100, delayMs: 2, failRate: 0.25, twin: "i1" },
    httpAddress: "127.0.0.1:1006",
  },
  {
    id: "i7",
    version: "2.0.0",
    weight: 100,
    delayMs: 2,
    failRate: 0,
    late: true,
    httpAddress: "127.0.0.1:1007",
  },
];

/** A run of 100 calls over 1 s, round robin, with the story's steps and one ejection of i6. */
function run(balancer: string) {
  const stats = new RunStats(balancer, "http");
  stats.event({ at: 250, kind: "slow", id: "i5", label: "i5 turns slow (40 ms)" });
  stats.event({ at: 250, kind: "fails", id: "i6", label: "i6 starts failing 25%" });
  stats.event({ at: 400, kind: "ejected", address: "127.0.0.1:1006", reason: "success-rate", selector: 1 });
  stats.event({ at: 500, kind: "leaves", id: "i2", label: "i2 leaves" });
  stats.event({ at: 500, kind: "joins", id: "i7", label: "i7 joins" });
  for (let i = 0; i < 100; i++) {
    const up = i < 50 ? ["i1", "i2", "i5", "i6"] : ["i1", "i5", "i6", "i7"];
    const id = up[i % 4]!;
    stats.record(id, id === "i5" && i >= 25 ? 40 : 2, id === "i6" && i % 8 === 3, i * 10);
  }
  return stats.summary(FLEET);
}

describe("the HTML report", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("summarises a run with p50, p95, p99, the mean, its share over time and its events", () => {
    const s = run("wrr");
    expect(s).toMatchObject({ requests: 100, p50: 2, p95: 40, p99: 40 });
    expect(s.mean).toBeCloseTo((82 * 2 + 18 * 40) / 100, 10); // i5 answers 18 calls after call 25
    expect(s.timeline.windowMs).toBe(50);
    expect(s.timeline.windows).toHaveLength(20);
    expect(s.timeline.windows[0]).toEqual({ start: 0, calls: 5, shares: [0.4, 0.2, 0.2, 0.2, 0] });
    expect(s.events.map((e: { id: string; kind: string }) => `${e.id} ${e.kind}`)).toEqual([
      "i5 slow",
      "i6 fails",
      "i6 ejected",
      "i2 leaves",
      "i7 joins",
    ]);
    expect(s.instances.map((i: { role: string }) => i.role)).toEqual([
      "",
      "leaves",
      "slow",
      "fails",
      "joins",
    ]);
  });

  it("draws one timeline per run with the story's lines and the ejection lane", () => {
    const svg = timelineChart(run("p2c"));
    expect(svg.match(/stroke-dasharray/g)).toHaveLength(2);
    expect(svg).toContain(">i5 slow, i6 fails<");
    expect(svg).toContain(">i2 leaves, i7 joins<");
    expect(svg).toContain("i6 ejected from 0.40 s to 1.00 s (success-rate)");
  });

  it("marks who does what, and stays self-contained: nothing fetched, no script", () => {
    dir = mkdtempSync(join(tmpdir(), "demo-report-"));
    const html = readFileSync(writeReport([run("wrr"), run("p2c")], dir, true), "utf8");
    expect(html).toContain("<td>slow (40 ms) from 25% of the run</td>");
    expect(html).toContain("<td>fails 25% from 25% of the run</td>");
    expect(html).toContain("<td>leaves at 50%</td>");
    expect(html).toContain("<td>joins at 50%</td>");
    expect(html.match(/<svg /g)).toHaveLength(4); // the shares, the legend, a timeline per run
    expect(html).toContain('<th class="n">p95</th>');
    const references = html.replaceAll('xmlns="http://www.w3.org/2000/svg"', "");
    const alone = readFileSync(join(dir, "timeline-p2c-http.svg"), "utf8");
    expect(alone).toContain("i6 2.0.0 · fails");
    expect(alone).toContain("ejected by endpoint health");
    expect(references).not.toMatch(/https?:\/\/|src=|href=|<script|<link|<img|url\(|@import/);
  });
});
