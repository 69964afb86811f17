// Scheduling keeps its pace in a background tab (issue #5): the run's scheduler sleeps on a
// dedicated worker's timers, which Chromium does not throttle when the tab is hidden (the
// page's own setTimeout is held to about once a second there).
//
// Playwright normally launches Chromium with background throttling switched off; this file
// launches it with the throttling on, hides the load tester's tab behind another one, and
// checks that an open-loop run (20 requests/s) still launched on time.
import { test, expect } from "@playwright/test";
import { quantile, serverRecords, startServer } from "../loadtest-harness.mjs";

test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
    ignoreDefaultArgs: [
      "--disable-background-timer-throttling",
      "--disable-renderer-backgrounding",
      "--disable-backgrounding-occluded-windows",
    ],
  },
});

test("an open-loop run in a hidden tab keeps its launch rate", async ({ page, context }) => {
  test.setTimeout(90_000);
  const server = await startServer(["--ttft-ms", "5", "--itl-ms", "2"], 1);
  try {
    const n = 60;
    await page.goto(
      `/loadtest?url=${encodeURIComponent(server.url)}&mode=rate&rate=20&requests=${n}&max_tokens=2&model=m`,
    );
    // The page's own timers in a hidden tab: measured, to show the throttling is real here.
    await page.getByTestId("run").click();
    await page.getByTestId("confirm-run").click();
    const other = await context.newPage();
    await other.goto("/");
    await other.bringToFront();
    const hidden = await page.evaluate(() => document.visibilityState);
    const pageTimer = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const t0 = performance.now();
          let k = 0;
          const tick = () => (++k === 5 ? resolve((performance.now() - t0) / 5) : setTimeout(tick, 10));
          setTimeout(tick, 10);
        }),
    );
    await expect
      .poll(async () => (await serverRecords(server.url)).filter((r) => r.api === "chat").length, { timeout: 60_000 })
      .toBe(n);
    const srv = (await serverRecords(server.url)).filter((r) => r.api === "chat");
    const rx = srv.map((r) => r.received_ms).sort((a, b) => a - b);
    const gaps = rx.slice(1).map((t, i) => t - rx[i]);
    const rate = ((n - 1) * 1000) / (rx.at(-1) - rx[0]);
    await page.bringToFront();
    await expect(page.getByTestId("run-status")).toHaveAttribute("data-phase", "finished", { timeout: 20_000 });
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-json").click()]);
    const doc = JSON.parse(await (await import("node:fs/promises")).readFile(await download.path(), "utf8"));
    const lags = doc.records.map((r) => (r.t_fetch ?? r.t_start) - r.t_due);
    console.log(
      `hidden tab (${hidden}; a 10 ms page setTimeout took ${pageTimer.toFixed(0)} ms there): ` +
        `server saw ${n} requests at ${rate.toFixed(1)}/s (planned 20/s, Poisson); largest gap ${Math.max(...gaps).toFixed(0)} ms; ` +
        `launch lag p50 ${quantile(lags, 0.5).toFixed(1)} ms, p99 ${quantile(lags, 0.99).toFixed(1)} ms`,
    );
    expect(hidden).toBe("hidden");
    // Late launches would pile up behind a throttled page timer (up to ~1 s late).
    expect(quantile(lags, 0.99)).toBeLessThan(150);
    expect(rate).toBeGreaterThan(10);
    expect(rate).toBeLessThan(40);
  } finally {
    server.proc.kill();
  }
});
