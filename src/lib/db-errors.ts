function findInCauses(err: unknown, pattern: RegExp): string | null {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const match = pattern.exec(e instanceof Error ? e.message : String(e));
    if (match) return match[1]!;
  }
  return null;
}

/**
 * The `table.column` of a uniqueness violation anywhere in an error's cause chain, or null.
 * The identity triggers (migrations/0004) report a customer email or agent username taken
 * across the two tables as `customers.email` / `agents.username` too.
 */
export function uniqueViolation(err: unknown): string | null {
  const identity = findInCauses(err, /IDENTITY_TAKEN: (email|username)/);
  if (identity) return identity === "email" ? "customers.email" : "agents.username";
  return findInCauses(err, /UNIQUE constraint failed: ([\w.]+)/);
}

/**
 * The field of a reference to a missing resource (migrations/0015: a tag list or a flow id that
 * names no resource of the same customer), anywhere in an error's cause chain, or null.
 */
export function referenceViolation(err: unknown): string | null {
  return findInCauses(err, /REFERENCE_NOT_FOUND: (\w+)/);
}

/** The `table.column` of a NOT NULL violation anywhere in an error's cause chain, or null. */
export const notNullViolation = (err: unknown): string | null =>
  findInCauses(err, /NOT NULL constraint failed: ([\w.]+)/);
