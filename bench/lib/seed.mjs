// Bulk data straight into D1 (never through the API): each INSERT generates its rows inside
// SQLite from a recursive CTE, so 100,000 rows cost a handful of statements and no bound
// parameter lists. Column lists come from PRAGMA table_info, so a column added to the schema
// later (NOT NULL with a default, or nullable) needs no change here; a NOT NULL column without a
// default gets '' or 0.

/** The eleven kinds a customer owns (src/db/owned.ts), i.e. the tables the cascade empties. */
export const OWNED_TABLES = [
  "agents",
  "numbers",
  "flows",
  "queues",
  "trunks",
  "extensions",
  "files",
  "billing_accounts",
  "tags",
  "transcriptions",
  "contacts",
];

// A random version-4 UUID per row, in SQL.
const UUID =
  "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || " +
  "substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))";

const columnCache = new Map();
async function columns(db, table) {
  if (!columnCache.has(table)) {
    const { results } = await db.prepare(`PRAGMA table_info("${table}")`).all();
    if (!results.length) throw new Error(`table ${table} does not exist (migrations not applied?)`);
    columnCache.set(table, results);
  }
  return columnCache.get(table);
}

const filler = (col) => (/INT|REAL|NUM/i.test(col.type) ? "0" : "''");

/**
 * INSERT … SELECT … FROM a generated sequence n = 1..count. `exprs` maps column names to SQL
 * expressions over n and the bound parameters; other NOT NULL columns without a default get a
 * filler; the rest keep their defaults.
 */
async function generatedInsert(db, table, exprs, count, params) {
  const cols = [];
  const vals = [];
  for (const col of await columns(db, table)) {
    if (col.name in exprs) {
      cols.push(col.name);
      vals.push(exprs[col.name]);
    } else if (col.notnull && col.dflt_value === null && !col.pk) {
      cols.push(col.name);
      vals.push(filler(col));
    }
  }
  const sql =
    `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${Number(count)}) ` +
    `INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(", ")}) SELECT ${vals.join(", ")} FROM seq`;
  const result = await db
    .prepare(sql)
    .bind(...params)
    .run();
  return result.meta.changes ?? count;
}

/**
 * `total` active customers, older than anything the API creates during the run: tm_create steps
 * back one second per customer from `newest`, so keyset pages are stable.
 */
export async function seedCustomers(
  db,
  total,
  { newest = Date.now() - 24 * 3600 * 1000, chunk = 20000, tag = "c" } = {},
) {
  let done = 0;
  while (done < total) {
    const count = Math.min(chunk, total - done);
    // ?1 = offset, ?2 = newest timestamp, ?3 = tag (keeps emails unique across calls)
    done += await generatedInsert(
      db,
      "customers",
      {
        id: UUID,
        name: "'Bench customer ' || (?1 + n)",
        email: "'bench-' || ?3 || '-' || (?1 + n) || '@bench.invalid'",
        status: "'active'",
        tm_create: "?2 - (?1 + n) * 1000",
        tm_update: "?2 - (?1 + n) * 1000",
      },
      count,
      [done, newest, tag],
    );
  }
  return done;
}

/** Splits `total` rows over the owned tables as evenly as possible. */
export function perTableCounts(total, tables = OWNED_TABLES) {
  const base = Math.floor(total / tables.length);
  const extra = total % tables.length;
  return Object.fromEntries(tables.map((t, i) => [t, base + (i < extra ? 1 : 0)]));
}

/** `total` rows across all eleven kinds, owned by `customerId`. */
export async function seedOwned(db, customerId, total, { now = Date.now() } = {}) {
  const counts = perTableCounts(total);
  const inserted = {};
  for (const [table, count] of Object.entries(counts)) {
    if (count === 0) continue;
    // ?1 = customer id, ?2 = timestamp base
    inserted[table] = await generatedInsert(
      db,
      table,
      {
        id: UUID,
        customer_id: "?1",
        name: `'bench ${table} ' || n`,
        tm_create: "?2 + n",
        tm_update: "?2 + n",
        username: "'bench-' || ?1 || '-' || n || '@bench.invalid'",
        password_hash: "'bench-unusable'",
        permission: "16",
        number: "'bench-' || ?1 || '-' || n",
        extension: "CAST(n AS TEXT)",
      },
      count,
      [customerId, now],
    );
  }
  return inserted;
}

/** Rows a customer still owns, per table. */
export async function ownedCounts(db, customerId) {
  const out = {};
  for (const table of OWNED_TABLES) {
    const row = await db.prepare(`SELECT count(*) AS n FROM "${table}" WHERE customer_id = ?`).bind(customerId).first();
    out[table] = Number(row?.n ?? 0);
  }
  return out;
}

/** Bytes the database holds, from D1's own result metadata (`meta.size_after`); null if absent. */
export async function databaseBytes(db) {
  try {
    const size = (await db.prepare("SELECT 1").run()).meta?.size_after;
    return typeof size === "number" && size > 0 ? size : null;
  } catch {
    return null;
  }
}
