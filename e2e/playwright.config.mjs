// End-to-end tests: Debian's Chromium (never a downloaded browser) against the release
// build in dist/, served on 127.0.0.1 the way a static host serves it.
import { defineConfig } from "@playwright/test";

// E2E_PORT (default 4173) and the next port: set it to run two checkouts' tests side by side.
const port = Number(process.env.E2E_PORT ?? 4173);
const prefixed = port + 1;

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
      ], // Playwright gives every launch a fresh, empty profile (--user-data-dir) itself.
    },
    permissions: ["clipboard-read", "clipboard-write"],
  },
  webServer: [
    { command: `node serve.mjs --dir ../dist --port ${port}`, url: `http://127.0.0.1:${port}/`, reuseExistingServer: false },
    { command: `node serve.mjs --dir ../dist --port ${prefixed} --prefix /inferlab`, url: `http://127.0.0.1:${prefixed}/inferlab/`, reuseExistingServer: false },
  ],
});
