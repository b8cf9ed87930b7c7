// Debian's Chromium driven by playwright-core, for the browser and studio tests. Playwright
// downloads no browser here: the system one is used, and a test skips with the reason only
// where it cannot start (no chromium package, no playwright-core, a sandbox that refuses it).
import { existsSync } from "node:fs";
import { after } from "node:test";
import type { Browser } from "playwright-core";

const CANDIDATES = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];

export type BrowserOrSkip = { browser: Browser; skip?: undefined } | { browser?: undefined; skip: string };

/** A headless Chromium closed when the test file ends, or the reason none could start. */
export async function launchChromium(): Promise<BrowserOrSkip> {
  const executablePath = CANDIDATES.find((p): p is string => p !== undefined && existsSync(p));
  if (executablePath === undefined) return { skip: "no Chromium (apt-get install chromium, or set CHROMIUM_PATH)" };
  let chromium: typeof import("playwright-core").chromium;
  try {
    ({ chromium } = await import("playwright-core"));
  } catch {
    return { skip: "playwright-core is not installed" };
  }
  try {
    // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
    const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"], timeout: 60_000 });
    after(() => browser.close());
    return { browser };
  } catch (e) {
    return { skip: `Chromium at ${executablePath} did not start: ${String(e).slice(0, 300)}` };
  }
}
