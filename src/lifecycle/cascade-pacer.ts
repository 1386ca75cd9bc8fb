// How fast the cascade deletes: a scavenger in the manner of LEDBAT (RFC 6817). D1 runs one
// statement at a time, so other tenants' queries queue behind a cascade chunk and a chunk queues
// behind theirs. The cascade watches its own statements: a chunk that takes about as long as
// its rows cost when the database is idle (the baseline) means nobody else is waiting, and the
// next chunk may be larger; a chunk that took longer than that by more than the target means
// others' work was ahead of it, and the cascade shrinks its chunks and steps aside for as long
// as the extra delay it saw. No fixed sleeps: idle, it runs at full speed.

export interface PacerConfig {
  minRows: number;
  maxRows: number;
  startRows: number;
  /** Extra delay over the baseline (ms) tolerated before backing off: LEDBAT's TARGET. */
  targetDelayMs: number;
  /**
   * The longest a chunk should take at its idle cost: whoever arrives during a chunk waits for
   * it, so this bounds what the cascade adds to anyone's latency even before it sees them.
   */
  maxChunkMs: number;
  /** The longest rest after one chunk. */
  maxRestMs: number;
  /**
   * How much the baseline may rise per chunk (a fraction): it is the lowest cost per row seen,
   * creeping up slowly so that it follows a machine that got slower, but not a contention that
   * lasts (LEDBAT keeps minutes of history for the same reason).
   */
  baseDrift: number;
  /**
   * Chunks whose extra delay is filtered (the minimum of the last N, LEDBAT's current-delay
   * filter): one slow statement (a busy machine, a checkpoint) is noise; several in a row are
   * others waiting.
   */
  currentFilter: number;
}

export const DEFAULT_PACER: PacerConfig = {
  minRows: 100,
  maxRows: 10000,
  startRows: 1000,
  targetDelayMs: 2,
  maxChunkMs: 20,
  maxRestMs: 50,
  baseDrift: 0.01,
  currentFilter: 3,
};

export interface PaceDecision {
  /** Rows for the next chunk. */
  rows: number;
  /** Milliseconds to rest before it (0 when nobody else seems to wait). */
  restMs: number;
}

/** Pure controller state: fed each chunk's rows and duration, it says the next chunk's size and rest. */
export class ScavengerPacer {
  readonly config: PacerConfig;
  #rows: number;
  #restMs = 0;
  /** Per step (each table has its own cost per row): the idle cost per row, ms. */
  #base = new Map<string, number>();
  /** The extra delays of the last chunks (any step). */
  #recent: number[] = [];

  constructor(config: Partial<PacerConfig> = {}) {
    this.config = { ...DEFAULT_PACER, ...config };
    this.#rows = this.config.startRows;
  }

  next(): PaceDecision {
    return { rows: this.#rows, restMs: this.#restMs };
  }

  /** The idle cost per row of a step (undefined before its first chunk). */
  baseline(step: string): number | undefined {
    return this.#base.get(step);
  }

  /**
   * One chunk of `step` went: `rows` affected in `ms`. Chunks too small to say anything about
   * the cost per row (the tail of a table) leave the state as it is.
   */
  observe(step: string, rows: number, ms: number): PaceDecision {
    const { minRows, maxRows, targetDelayMs, maxChunkMs, maxRestMs, baseDrift, currentFilter } = this.config;
    if (rows < minRows / 2) return this.next();
    const perRow = Math.max(ms, 0) / rows;
    const previous = this.#base.get(step);
    const base = previous === undefined ? perRow : Math.min(perRow, previous * (1 + baseDrift));
    this.#base.set(step, base);
    this.#recent.push(Math.max(0, ms - base * rows));
    if (this.#recent.length > currentFilter) this.#recent.shift();
    const extra = Math.min(...this.#recent);
    // LEDBAT: change the window in proportion to how far the delay is from the target.
    const offTarget = (targetDelayMs - extra) / targetDelayMs;
    const factor = Math.min(2, Math.max(0.5, 1 + 0.5 * offTarget));
    const ceiling = Math.min(maxRows, base > 0 ? maxChunkMs / base : maxRows);
    this.#rows = Math.round(Math.max(minRows, Math.min(ceiling, this.#rows * factor)));
    // Give back the delay others saw: they were queued behind us for about that long.
    this.#restMs = extra > targetDelayMs ? Math.min(maxRestMs, extra) : 0;
    return this.next();
  }
}
