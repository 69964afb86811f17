// End-to-end tests: Debian's Chromium (never a downloaded browser) against the release
// build in dist/, served on 127.0.0.1 the way a static host serves it.
import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: "http://127.0.0.1:4173",
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
    { command: "node serve.mjs --dir ../dist --port 4173", url: "http://127.0.0.1:4173/", reuseExistingServer: false },
    { command: "node serve.mjs --dir ../dist --port 4174 --prefix /inferlab", url: "http://127.0.0.1:4174/inferlab/", reuseExistingServer: false },
  ],
});
