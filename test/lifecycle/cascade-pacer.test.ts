import { describe, expect, it } from "vitest";
import { ScavengerPacer } from "../../src/lifecycle/cascade-pacer";

// The cascade's pacing as pure logic: fed (rows, ms) per chunk, the pacer sizes the next chunk
// and its rest. 0.01 ms per row is this test's idle cost.
const IDLE_MS_PER_ROW = 0.01;
const config = {
  minRows: 100,
  maxRows: 5000,
  startRows: 1000,
  targetDelayMs: 2,
  maxChunkMs: 100,
  maxRestMs: 50,
  baseDrift: 0.01,
  currentFilter: 1,
};

describe("ScavengerPacer", () => {
  it("starts at startRows without resting", () => {
    expect(new ScavengerPacer(config).next()).toEqual({ rows: 1000, restMs: 0 });
  });

  it("grows its chunks up to maxRows while chunks cost what they cost idle, never resting", () => {
    const pacer = new ScavengerPacer(config);
    let last = pacer.next();
    for (let i = 0; i < 20; i++) {
      const { rows } = pacer.next();
      last = pacer.observe("agents", rows, rows * IDLE_MS_PER_ROW);
      expect(last.restMs).toBe(0);
    }
    expect(last.rows).toBe(5000);
  });

  it("shrinks and steps aside for the extra delay when others queue ahead of a chunk", () => {
    const pacer = new ScavengerPacer(config);
    pacer.observe("agents", 1000, 1000 * IDLE_MS_PER_ROW); // the idle baseline: 10 ms for 1000 rows
    const before = pacer.next().rows;
    const after = pacer.observe("agents", before, before * IDLE_MS_PER_ROW + 12); // 12 ms behind others
    expect(after.rows).toBeLessThan(before);
    expect(after.restMs).toBeCloseTo(12, 0);
  });

  it("keeps a chunk's idle duration under maxChunkMs", () => {
    const pacer = new ScavengerPacer({ ...config, maxChunkMs: 8 });
    let d = pacer.next();
    for (let i = 0; i < 20; i++) d = pacer.observe("agents", d.rows, d.rows * IDLE_MS_PER_ROW);
    expect(d.rows).toBe(800); // 8 ms at 0.01 ms per row
  });

  it("never goes below minRows nor rests longer than maxRestMs", () => {
    const pacer = new ScavengerPacer(config);
    pacer.observe("agents", 1000, 10);
    let d = pacer.next();
    for (let i = 0; i < 20; i++) d = pacer.observe("agents", d.rows, d.rows * IDLE_MS_PER_ROW + 500);
    expect(d).toEqual({ rows: 100, restMs: 50 });
  });

  it("speeds up again once the others are gone", () => {
    const pacer = new ScavengerPacer(config);
    pacer.observe("agents", 1000, 10);
    let d = pacer.next();
    for (let i = 0; i < 10; i++) d = pacer.observe("agents", d.rows, d.rows * IDLE_MS_PER_ROW + 30);
    const slow = d.rows;
    for (let i = 0; i < 10; i++) d = pacer.observe("agents", d.rows, d.rows * IDLE_MS_PER_ROW);
    expect(d.rows).toBeGreaterThan(slow);
    expect(d.restMs).toBe(0);
  });

  it("keeps a baseline per step: a costlier table is not mistaken for contention", () => {
    const pacer = new ScavengerPacer(config);
    pacer.observe("tags", 1000, 1000 * IDLE_MS_PER_ROW);
    // contacts cost 5× per row when idle: its first chunk sets its own baseline.
    const d = pacer.observe("contacts", 1000, 1000 * IDLE_MS_PER_ROW * 5);
    expect(d.restMs).toBe(0);
    expect(pacer.baseline("contacts")).toBeCloseTo(IDLE_MS_PER_ROW * 5);
    expect(pacer.baseline("tags")).toBeCloseTo(IDLE_MS_PER_ROW);
  });

  it("follows a machine that got slower for good, slowly", () => {
    const pacer = new ScavengerPacer(config);
    pacer.observe("agents", 1000, 10);
    for (let i = 0; i < 500; i++) pacer.observe("agents", 1000, 20);
    expect(pacer.baseline("agents")).toBeCloseTo(0.02);
    expect(pacer.next().restMs).toBe(0);
  });

  it("takes one slow chunk for noise and several in a row for others waiting", () => {
    const pacer = new ScavengerPacer({ ...config, currentFilter: 3 });
    let d = pacer.observe("agents", 1000, 10);
    d = pacer.observe("agents", d.rows, d.rows * IDLE_MS_PER_ROW + 20);
    expect(d.restMs).toBe(0);
    d = pacer.observe("agents", d.rows, d.rows * IDLE_MS_PER_ROW + 20);
    d = pacer.observe("agents", d.rows, d.rows * IDLE_MS_PER_ROW + 20);
    expect(d.restMs).toBeGreaterThan(15);
  });

  it("ignores the short tail chunk of a step (too few rows to judge the cost per row)", () => {
    const pacer = new ScavengerPacer(config);
    pacer.observe("agents", 1000, 10);
    const before = pacer.next();
    expect(pacer.observe("agents", 3, 40)).toEqual(before);
  });
});
