// Screenshots of the load tester after a real run against the test server (light and dark,
// wide and narrow, full page): the charts, tables and diagnoses as a user sees them.
// Usage: node screenshot-run.mjs [outDir]   (serves ../dist itself; needs the test server built)
import { mkdirSync } from "node:fs";
import { launchChromium, serveDist } from "./browser.mjs";
import { join } from "node:path";
import { startServer } from "./loadtest-harness.mjs";

const out = process.argv[2] ?? "screenshots";
mkdirSync(out, { recursive: true });
const port = Number(process.env.E2E_PORT ?? 4173) + 5;
const web = await serveDist(port);
const server = await startServer(["--ttft-ms", "60", "--itl-ms", "12", "--jitter-ms", "4"]);
const browser = await launchChromium();
try {
  for (const scheme of ["light", "dark"]) {
    for (const [name, width] of [["wide", 1366], ["narrow", 375]]) {
      const page = await browser.newPage({ viewport: { width, height: 900 }, colorScheme: scheme });
      page.on("pageerror", (e) => console.log(`page error: ${e}`));
      const q = new URLSearchParams({ url: server.url, model: "m", mode: "sweep", steps: "1,2,4", requests: "12", max_tokens: "24" });
      await page.goto(`http://127.0.0.1:${port}/loadtest?${q}`);
      await page.getByTestId("run").click();
      await page.getByTestId("confirm-run").click();
      await page.waitForSelector('[data-testid="run-status"][data-phase="finished"]', { timeout: 60_000 });
      await page.waitForTimeout(400);
      const file = join(out, `loadtest-run-${scheme}-${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(file);
      await page.close();
    }
  }
} finally {
  await browser.close();
  web.kill();
  server.proc.kill();
}
