import { defineConfig } from "vitest/config";

// Real-browser tests (test/browser/): plain Node, not the Workers pool. They start the local dev
// server (`npm run dev`) and drive Chrome or Chromium with playwright-core: CHROMIUM_PATH, a system
// browser, or the one bundled in the @sparticuz/chromium devDependency (test/browser/chromium.ts).
export default defineConfig({
  test: {
    environment: "node",
    include: ["test/browser/**/*.test.ts"],
    // One dev server and one browser at a time: the machine has two cores.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
