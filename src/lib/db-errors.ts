/** The `table.column` of a UNIQUE violation anywhere in an error's cause chain, or null. */
export function uniqueViolation(err: unknown): string | null {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const message = e instanceof Error ? e.message : String(e);
    const match = /UNIQUE constraint failed: ([\w.]+)/.exec(message);
    if (match) return match[1]!;
  }
  return null;
}
