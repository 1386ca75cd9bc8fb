#!/usr/bin/env node
// After a hand-written migration (triggers, backfills, renames drizzle-kit would ask about), brings
// drizzle-kit's bookkeeping in migrations/meta/ up to date, so that the next `npm run db:generate`
// diffs against the schema as it is and numbers its file after the last one:
//   - every migrations/*.sql missing from _journal.json gets its entry (its number is its idx);
//   - the last migration gets a snapshot of src/db/schema.ts, chained to the previous snapshot.
// Run it once the schema change and its SQL file are written; `npm run db:generate` then says
// "No schema changes" when src/db/schema.ts and the migrations agree.
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { generateSQLiteDrizzleJson } from "drizzle-kit/api";

const root = join(import.meta.dirname, "..");
const migrations = join(root, "migrations");
const meta = join(migrations, "meta");
const journalPath = join(meta, "_journal.json");
const journal = JSON.parse(readFileSync(journalPath, "utf8"));

const files = readdirSync(migrations)
  .filter((f) => /^\d{4}_.+\.sql$/.test(f))
  .sort();
const known = new Set(journal.entries.map((e) => e.tag));
const template = journal.entries.at(-1);
for (const file of files) {
  const tag = file.replace(/\.sql$/, "");
  if (known.has(tag)) continue;
  const idx = Number(tag.slice(0, 4));
  journal.entries.push({ idx, version: template.version, when: Date.now(), tag, breakpoints: true });
  console.log(`journal: + ${tag}`);
}
journal.entries.sort((a, b) => a.idx - b.idx);

const snapshots = readdirSync(meta)
  .filter((f) => /^\d{4}_snapshot\.json$/.test(f))
  .sort();
const last = journal.entries.at(-1);
const target = `${String(last.idx).padStart(4, "0")}_snapshot.json`;
const previous = snapshots.filter((f) => f < target).at(-1);
if (!previous) throw new Error("no earlier snapshot in migrations/meta to chain to");
const prevId = JSON.parse(readFileSync(join(meta, previous), "utf8")).id;

// The schema is TypeScript: bundle it to a temporary module to import it.
const bundled = join(meta, ".schema.tmp.mjs");
await build({
  entryPoints: [join(root, "src/db/schema.ts")],
  bundle: true,
  format: "esm",
  platform: "node",
  packages: "external",
  outfile: bundled,
  logLevel: "warning",
});
try {
  const schema = await import(bundled);
  const snapshot = await generateSQLiteDrizzleJson(schema, prevId);
  // The keys in the order drizzle-kit writes them, so a later generate changes no more than it must.
  // Re-running keeps the snapshot's id: nothing chained to it changes.
  const existing = snapshots.includes(target) ? JSON.parse(readFileSync(join(meta, target), "utf8")).id : undefined;
  const { id: fresh, prevId: prev, ...rest } = snapshot;
  const id = existing ?? fresh;
  const ordered = { id, prevId: prev, ...rest, _meta: { columns: {}, schemas: {}, tables: {} } };
  writeFileSync(join(meta, target), `${JSON.stringify(ordered, null, 2)}\n`);
  console.log(`snapshot: ${target} (after ${previous})`);
} finally {
  rmSync(bundled, { force: true });
}
writeFileSync(journalPath, `${JSON.stringify(journal, null, 2)}\n`);
