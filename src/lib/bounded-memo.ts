/**
 * What an isolate remembers between requests, for a while and up to a bound: each entry lives
 * until its own time, and past the bound the oldest entry goes (a Map keeps insertion order).
 * An entry found expired is dropped when it is read.
 */
export class BoundedMemo<V> {
  #entries = new Map<string, { value: V; until: number }>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.#entries.size;
  }

  get(key: string, now: number): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Remembers `value` under `key` until `until` (ms since the epoch). */
  set(key: string, value: V, until: number): void {
    if (!this.#entries.has(key) && this.#entries.size >= this.capacity) {
      this.#entries.delete(this.#entries.keys().next().value as string);
    }
    this.#entries.set(key, { value, until });
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}
