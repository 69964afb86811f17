// Scheduling keeps its pace in a background tab (issue #5): the run's scheduler sleeps on a
// dedicated worker's timers, which Chromium does not throttle when the tab is hidden (the
// page's own setTimeout is held to about once a second there).
//
// Headless Chromium never hides a tab (checked: another page brought to front, a minimized
// window, a second tab in the same window all leave `visibilityState` "visible" and timers
// unthrottled), so this test emulates what a background tab does to the page: every
// `setTimeout` of the page (not of its workers) waits at least 1 s. An open-loop run at 20
// requests/s must still launch on time.
import { test, expect } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { quantile, serverRecords, startServer } from "../loadtest-harness.mjs";

test("an open-loop run keeps its launch rate when the page's timers are throttled", async ({ page }) => {
  test.setTimeout(90_000);
  const server = await startServer(["--ttft-ms", "5", "--itl-ms", "2"], 1);
  try {
    const n = 60;
    await page.goto(
      `/loadtest?url=${encodeURIComponent(server.url)}&mode=rate&rate=20&requests=${n}&max_tokens=2&model=m`,
    );
    await page.getByTestId("run").click();
    // From here on the page's timers behave as in a background tab.
    await page.evaluate(() => {
      const original = window.setTimeout;
      window.setTimeout = (f, ms, ...a) => original(f, Math.max(1000, ms ?? 0), ...a);
    });
    const pageTimer = await page.evaluate(
      () => new Promise((resolve) => { const t0 = performance.now(); setTimeout(() => resolve(performance.now() - t0), 10); }),
    );
    await page.getByTestId("confirm-run").click();
    await expect
      .poll(async () => (await serverRecords(server.url)).filter((r) => r.api === "chat").length, { timeout: 60_000 })
      .toBe(n);
    const srv = (await serverRecords(server.url)).filter((r) => r.api === "chat");
    const rx = srv.map((r) => r.received_ms).sort((a, b) => a - b);
    const gaps = rx.slice(1).map((t, i) => t - rx[i]);
    const rate = ((n - 1) * 1000) / (rx.at(-1) - rx[0]);
    await expect(page.getByTestId("run-status")).toHaveAttribute("data-phase", "finished", { timeout: 20_000 });
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-json").click()]);
    const doc = JSON.parse(await readFile(await download.path(), "utf8"));
    const lags = doc.records.map((r) => (r.t_fetch ?? r.t_start) - r.t_due);
    console.log(
      `throttled page timers (a 10 ms setTimeout took ${pageTimer.toFixed(0)} ms): ` +
        `server saw ${n} requests at ${rate.toFixed(1)}/s (planned 20/s, Poisson); largest gap ${Math.max(...gaps).toFixed(0)} ms; ` +
        `launch lag p50 ${quantile(lags, 0.5).toFixed(1)} ms, p99 ${quantile(lags, 0.99).toFixed(1)} ms`,
    );
    expect(pageTimer).toBeGreaterThanOrEqual(990);
    // Late launches would pile up behind a throttled page timer (up to ~1 s late).
    expect(quantile(lags, 0.99)).toBeLessThan(150);
    expect(rate).toBeGreaterThan(10);
    expect(rate).toBeLessThan(40);
  } finally {
    server.proc.kill();
  }
});
