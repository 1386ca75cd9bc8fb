#!/usr/bin/env node
// Several full runs side by side: `npm run bench:compare -- a.json b.json c.json` (results files of
// `npm run bench -- --out …`). For each target, every invocation's median and its range over its
// runs, the range over all of them, and whether the target held in every run of every invocation.
// This is the table bench/README.md keeps for the last three full runs of the final code.
import { readFileSync } from "node:fs";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: npm run bench:compare -- results-1.json results-2.json …");
  process.exit(2);
}
const results = files.map((f) => JSON.parse(readFileSync(f, "utf8")));
const x = (v) => `${v.toFixed(2)}×`;
const isRatio = (t) => typeof t.aim === "string" && t.aim.endsWith("×");

const names = [...new Set(results.flatMap((r) => r.targets.map((t) => t.name)))];
const header = ["target", "aim", ...files.map((_, i) => `run ${i + 1}`), "all runs", "met in every run"];
const rows = names.map((name) => {
  const found = results.map((r) => r.targets.find((t) => t.name === name));
  const cells = found.map((t) => t?.measured ?? "–");
  const values = found.flatMap((t) => (t && isRatio(t) ? (t.runs ?? [t.value]) : [])).filter(Number.isFinite);
  const range = values.length ? `${x(Math.min(...values))}–${x(Math.max(...values))}` : "–";
  const met = found.every((t) => t?.met === true);
  const aim = found.find(Boolean)?.aim ?? "";
  return [name, aim, ...cells, range, met ? "yes" : "**no**"];
});

const bare = results.map((r) => r.throughput?.cases?.bare?.rps);
console.log(
  `Runs: ${results.map((r, i) => `${i + 1}: ${r.meta.date}${bare[i] ? ` (bare Worker ${Math.round(bare[i]).toLocaleString("en-US")} req/s)` : ""}`).join("; ")}\n`,
);
console.log(`| ${header.join(" | ")} |`);
console.log(`| ${header.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`);
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
const metAll = rows.filter((r) => r.at(-1) === "yes").length;
console.log(`\n${metAll} of ${rows.length} targets met in every run of every invocation.`);
