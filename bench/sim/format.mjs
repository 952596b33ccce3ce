// How figures read in the tables: milliseconds, ratios, percentages, and a Markdown table.

/** Milliseconds: "—" when not measured, "never" when it never happened. */
export const ms = (value) =>
  value === undefined
    ? "—"
    : !Number.isFinite(value)
      ? "never"
      : value >= 100
        ? Math.round(value).toLocaleString("en-US")
        : value.toFixed(1);

/** A ratio: "1.07×", "0.003×", "—" when there is nothing to compare with. */
export const ratio = (value) =>
  !Number.isFinite(value) ? "—" : value === 0 ? "0×" : `${value.toFixed(value < 0.1 ? 3 : 2)}×`;

/** A share as a percentage: "3.58%", "0.011%", "<0.01%", "0"; "—" when not measured. */
export const pct = (value) =>
  value === undefined
    ? "—"
    : value === 0
      ? "0"
      : value < 0.0001
        ? "<0.01%"
        : `${(value * 100).toFixed(value < 0.01 ? 3 : 2)}%`;

/** A Markdown table, the first column left-aligned and the rest right-aligned. */
export function table(header, rows) {
  const lines = [
    `| ${header.join(" | ")} |`,
    `|${header.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
  ];
  for (const row of rows) lines.push(`| ${row.join(" | ")} |`);
  return lines.join("\n");
}
