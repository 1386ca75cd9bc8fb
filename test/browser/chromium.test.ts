// Which browser the browser tests pick, and what they say when there is none (they fail, never skip).
import type { Browser } from "playwright-core";
import { describe, expect, it } from "vitest";
import { candidates, HOW_TO_GET_ONE, launchChromium } from "./chromium";

describe("finding a Chromium for the browser tests", () => {
  it("uses CHROMIUM_PATH alone when it is set, even where a system browser exists", () => {
    const list = candidates({ CHROMIUM_PATH: "/opt/my/chrome" }, () => true);
    expect(list.map((c) => c.source)).toEqual(["CHROMIUM_PATH=/opt/my/chrome"]);
  });

  it("tries system browsers at their usual places first, then the bundled one", () => {
    const present = new Set(["/usr/bin/google-chrome", "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"]);
    const list = candidates({}, (path) => present.has(path));
    expect(list.map((c) => c.source)).toEqual([
      "/usr/bin/google-chrome",
      "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
      "the Chromium bundled in the @sparticuz/chromium npm package",
    ]);
    expect(candidates({}, () => false).map((c) => c.source)).toEqual([
      "the Chromium bundled in the @sparticuz/chromium npm package",
    ]);
  });

  it("fails with every attempt and how to get a browser when none starts", async () => {
    const missing = "/nonexistent/voipbin-test/chromium";
    const error = await launchChromium(candidates({ CHROMIUM_PATH: missing })).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toContain(`- CHROMIUM_PATH=${missing}: `);
    expect(error!.message).toContain(missing);
    expect(error!.message).toContain(HOW_TO_GET_ONE);
    expect(HOW_TO_GET_ONE).toMatch(/CHROMIUM_PATH/);
    expect(HOW_TO_GET_ONE).toMatch(/npm install/);
  });

  it("goes on to the next candidate when one does not start", async () => {
    const browser = { version: () => "test" } as unknown as Browser;
    const launched = await launchChromium([
      ...candidates({ CHROMIUM_PATH: "/nonexistent/voipbin-test/chromium" }),
      { source: "second", launch: async () => browser },
    ]);
    expect(launched).toEqual({ browser, source: "second" });
  });
});
