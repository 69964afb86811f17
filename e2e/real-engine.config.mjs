// `make test-real`: the load tester against a real llama-server (scripts/real_engine/run.sh
// starts it and passes REAL_ENGINE_URL). Same browser and static serving as
// playwright.config.mjs; one long test, so its own config keeps it out of `make test-e2e`.
import { defineConfig } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 4173);

export default defineConfig({
  testDir: "./real",
  timeout: 300_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    acceptDownloads: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
      ],
    },
  },
  webServer: [
    { command: `node serve.mjs --dir ../dist --port ${port}`, url: `http://127.0.0.1:${port}/`, reuseExistingServer: false },
  ],
});
