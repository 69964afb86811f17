// Load-test charts and results against the real test server (tools/testserver): every chart
// canvas is drawn sharp (backing store = CSS size × DPR) with data on it, a chart downloads
// as a PNG, a JSON export re-imports for side-by-side comparison, a malformed file gets a
// message naming it and loses nothing, the CSV exports work. Prints the redraw times.
//
// SCREENSHOTS=<dir> also saves light/dark × wide/narrow pictures of the results.
//
// Needs the server binary: `cargo build -p inferlab-testserver` (INFERLAB_TESTSERVER overrides).
import { test, expect } from "@playwright/test";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../loadtest-harness.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const CHARTS = ["chart-tps", "chart-active", "chart-latency", "chart-itl", "chart-sweep"];


/**
 * Per chart: backing size vs CSS size × DPR, pixels unlike the background (`ink`), pixels in
 * the first two run colours (`series`: data, not only axes and text), draw time.
 */
function inspectCharts(page) {
  return page.evaluate((ids) => {
    const probe = document.createElement("span");
    document.body.append(probe);
    const rgb = (v) => {
      probe.style.color = `var(${v})`;
      return getComputedStyle(probe).color.match(/\d+/g).slice(0, 3).map(Number);
    };
    const colors = [rgb("--accent"), rgb("--c-activation")];
    probe.remove();
    const out = {};
    for (const id of ids) {
      const fig = document.querySelector(`[data-testid="${id}"]`);
      const c = fig?.querySelector("canvas");
      if (!c) continue;
      const { data } = c.getContext("2d").getImageData(0, 0, c.width, c.height);
      let ink = 0;
      let series = 0;
      const [r0, g0, b0] = [data[0], data[1], data[2]];
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i] - r0) + Math.abs(data[i + 1] - g0) + Math.abs(data[i + 2] - b0) > 48) ink++;
        for (const [r, g, b] of colors) {
          if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 24) {
            series++;
            break;
          }
        }
      }
      out[id] = {
        width: c.width,
        height: c.height,
        cssWidth: c.clientWidth,
        cssHeight: c.clientHeight,
        dpr: devicePixelRatio,
        ink,
        series,
        inkShare: ink / (c.width * c.height),
        drawMs: Number(c.dataset.drawMs),
        draws: Number(c.dataset.draws),
      };
    }
    return out;
  }, CHARTS);
}

/** Redraws every chart (a resize event) and returns each one's draw time, ms. */
async function redrawTimes(page, domText) {
  return page.evaluate(async (domText) => {
    window.__inferlabChartsDomText = domText;
    const rounds = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      window.dispatchEvent(new Event("resize"));
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      const per = [...document.querySelectorAll(".lt-chart canvas")].map((c) => Number(c.dataset.drawMs));
      rounds.push({ total: per.reduce((a, b) => a + b, 0), wall: performance.now() - t0 });
    }
    window.__inferlabChartsDomText = false;
    rounds.sort((a, b) => a.total - b.total);
    return rounds[Math.floor(rounds.length / 2)];
  }, domText);
}

test.use({ deviceScaleFactor: 2 });

test("charts draw sharp with data; PNG, JSON re-import, comparison and CSV work", async ({ page }) => {
  test.setTimeout(120_000);
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  const server = await startServer(["--ttft-ms", "40", "--itl-ms", "8"]);
  try {
    await page.goto(
      `/loadtest?url=${encodeURIComponent(server.url)}&mode=sweep&users=2&requests=6&max_tokens=24&duration=30`,
    );
    await page.getByTestId("run").click();
    await page.getByTestId("confirm-run").click();
    await expect(page.getByTestId("run-status")).toHaveAttribute("data-phase", "finished", { timeout: 60_000 });
    await expect(page.getByTestId("requests-ok")).not.toHaveAttribute("data-value", "0");

    // Every chart: backing store = CSS size × DPR, and real ink (series, not only axes).
    await page.waitForTimeout(300);
    const charts = await inspectCharts(page);
    console.log("charts", JSON.stringify(charts));
    for (const id of CHARTS) {
      const c = charts[id];
      expect(c, id).toBeTruthy();
      expect(c.width, id).toBe(Math.round(c.cssWidth * 2));
      expect(c.height, id).toBe(Math.round(c.cssHeight * 2));
      expect(c.ink, `${id} is blank`).toBeGreaterThan(4000);
      expect(c.series, `${id} has no series drawn`).toBeGreaterThan(300);
    }

    // Redraw cost: canvas text measuring (default) vs plotters' DOM-span measuring.
    const fast = await redrawTimes(page, false);
    const dom = await redrawTimes(page, true);
    console.log(
      `redraw of all 5 charts (median of 5, ms): measureText ${fast.total.toFixed(2)} (frame ${fast.wall.toFixed(1)}), ` +
        `DOM spans ${dom.total.toFixed(2)} (frame ${dom.wall.toFixed(1)})`,
    );

    // PNG of a chart.
    const [png] = await Promise.all([page.waitForEvent("download"), page.getByTestId("chart-tps-png").click()]);
    expect(png.suggestedFilename()).toBe("inferlab-chart-tps.png");
    const bytes = readFileSync(await png.path());
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(bytes.length).toBeGreaterThan(2000);

    // CSV exports: records and the sweep table.
    const [csv] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
    const csvLines = readFileSync(await csv.path(), "utf8").trim().split("\n");
    expect(csvLines[0]).toMatch(/^id,step,user,warmup,/);
    expect(csvLines.length).toBeGreaterThan(6);
    const [sweepCsv] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-sweep-csv").click()]);
    const sweepLines = readFileSync(await sweepCsv.path(), "utf8").trim().split("\n");
    expect(sweepLines[0]).toMatch(/^x,output_tps_system,output_tps_per_user,/);
    expect(sweepLines.map((l) => l.split(",")[0]).slice(1)).toEqual(["1", "2"]);

    // Export JSON, re-import it: it is overlaid and compared with the live run.
    const [json] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-json").click()]);
    const jsonPath = await json.path();
    await page.getByTestId("import-json").setInputFiles({
      name: "run-a.json",
      mimeType: "application/json",
      buffer: readFileSync(jsonPath),
    });
    const table = page.getByTestId("compare-table");
    await expect(table).toBeVisible();
    await expect(table).toContainText("run-a.json");
    await expect(table).toContainText("TTFT p50");
    // Same run on both sides: every difference is 0 %.
    const deltas = await table.locator("td[data-value]").evaluateAll((tds) => tds.map((t) => t.dataset.value));
    expect(deltas.length).toBeGreaterThan(5);
    for (const d of deltas.filter((d) => d !== "")) expect(Math.abs(Number(d))).toBeLessThan(0.01);

    // A malformed file: a message naming it, nothing lost.
    await page.getByTestId("import-json").setInputFiles({
      name: "broken.json",
      mimeType: "application/json",
      buffer: Buffer.from('{"schema": "inferlab.loadtest", "version": 1, '),
    });
    const err = page.getByTestId("import-errors");
    await expect(err).toContainText("broken.json");
    await expect(err).toContainText("not a JSON file");
    await page.getByTestId("import-json").setInputFiles({
      name: "other.json",
      mimeType: "application/json",
      buffer: Buffer.from('{"schema": "something.else"}'),
    });
    await expect(err).toContainText("other.json: not an InferLab load-test export");
    await expect(table).toContainText("run-a.json");
    await expect(page.getByTestId("remove-import")).toHaveCount(1);

    // Overlaid charts still have ink (two runs now).
    await page.waitForTimeout(300);
    const after = await inspectCharts(page);
    for (const id of CHARTS) expect(after[id].series, id).toBeGreaterThan(300);

    const shots = process.env.SCREENSHOTS;
    if (shots) {
      mkdirSync(shots, { recursive: true });
      for (const scheme of ["light", "dark"]) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const [name, width] of [["wide", 1366], ["narrow", 375]]) {
          await page.setViewportSize({ width, height: 900 });
          await page.waitForTimeout(400);
          await page.locator(".lt-results").screenshot({ path: path.join(shots, `results-${scheme}-${name}.png`) });
          for (const id of ["chart-latency", "chart-sweep"]) {
            await page.getByTestId(id).screenshot({ path: path.join(shots, `${id}-${scheme}-${name}.png`) });
          }
        }
      }
    }
    expect(errors).toEqual([]);
  } finally {
    server.proc.kill();
  }
});
