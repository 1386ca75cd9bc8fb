import { defineConfig } from "vitest/config";

// Real-browser tests (test/browser/): plain Node, not the Workers pool. They start the local dev
// server (`npm run dev`) and drive Debian's Chromium with playwright-core.
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
