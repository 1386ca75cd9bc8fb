import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { iso } from "../../src/lib/time";

// iso() formats timestamps by arithmetic instead of a Date per field: it must give exactly
// toISOString's text for every millisecond it may meet, and fall back outside 4-digit years.
describe("iso", () => {
  it("matches Date#toISOString across years 0000..9999 and beyond", () => {
    fc.assert(
      fc.property(fc.integer({ min: -62167219200000 - 10 ** 12, max: 253402300799999 + 10 ** 12 }), (ms) => {
        expect(iso(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20000 },
    );
  });

  it("matches at the edges: epoch, leap days, the ends of the four-digit range", () => {
    for (const ms of [
      0,
      -1,
      1,
      951782400000,
      951868799999,
      4107542400000,
      -62167219200000,
      253402300799999,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
    ]) {
      expect(iso(ms)).toBe(new Date(ms).toISOString());
    }
  });
});
