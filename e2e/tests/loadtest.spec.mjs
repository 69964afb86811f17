// The load tester against the real test server (tools/testserver): a link never starts a
// run; Run → confirm measures what the server recorded; failures come with their fix.
//
// Needs the server binary: `cargo build --release -p inferlab-testserver` (or a debug build;
// INFERLAB_TESTSERVER overrides the path).
import { test, expect } from "@playwright/test";
import { readFileSync } from "node:fs";
import { cellValue, goal, lowerMedian, resetServer, serverRecords, startServer } from "../loadtest-harness.mjs";

// Opens a load-test link for `url` with `query` and starts it (Run, then confirm).
async function runLink(page, url, query) {
  await page.goto(`/loadtest?url=${encodeURIComponent(url)}&${query}`);
  await page.getByTestId("run").click();
  await page.getByTestId("confirm-run").click();
}

function watchConsole(page) {
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  return errors;
}

test.describe("load tester against the test server", () => {
  let server;
  test.beforeAll(async () => {
    server = await startServer(["--ttft-ms", "50", "--itl-ms", "10"]);
  });
  test.afterAll(() => server?.proc.kill());

  test("a link only fills the form; Run → confirm measures the server's truth", async ({ page }) => {
    test.setTimeout(90_000);
    const errors = watchConsole(page);
    await resetServer(server.url);
    await page.goto(
      `/loadtest?url=${encodeURIComponent(server.url)}&users=2&requests=8&max_tokens=16`,
    );
    await expect(page.getByLabel("Base URL")).toHaveValue(server.url);
    await expect(page.getByLabel("Concurrent users")).toHaveValue("2");

    // The link must not start anything, not even a request.
    await page.waitForTimeout(1500);
    expect(await serverRecords(server.url)).toEqual([]);
    await expect(page.getByTestId("stop")).toHaveCount(0);
    await expect(page.getByTestId("confirm-run")).toHaveCount(0);
    await expect(page.getByTestId("requests-ok")).toHaveAttribute("data-value", "0");
    await expect(page.getByTestId("ttft-p50")).toHaveAttribute("data-value", "");

    // Two warm-up requests open the connections and fill Chrome's preflight cache; they are
    // excluded from the statistics (and from the truth below).
    await page.getByLabel("Warm-up requests").fill("2");
    // Run asks first, naming the target and the number of requests.
    await page.getByTestId("run").click();
    const confirm = page.getByTestId("confirm");
    await expect(confirm).toBeVisible();
    await expect(confirm).toContainText(`${server.url}/v1/chat/completions`);
    await expect(confirm).toContainText("10 requests"); // 8 measured + 2 warm-ups
    const completions = (recs) => recs.filter((r) => r.api === "chat" || r.api === "completions");
    expect(completions(await serverRecords(server.url))).toHaveLength(0);
    // Run filled the empty model from /v1/models.
    await expect(page.getByLabel("Model")).toHaveValue("inferlab-test");

    await page.getByTestId("confirm-run").click();
    await expect(page.getByTestId("requests-ok")).toHaveAttribute("data-value", "8", { timeout: 30_000 });
    await expect(page.getByTestId("requests-failed")).toHaveAttribute("data-value", "0");
    await expect(page.getByTestId("run-status")).toHaveAttribute("data-phase", "finished");
    await expect(page.getByTestId("run")).toBeVisible();

    // Compare with the server's recorded send times.
    const all = (await serverRecords(server.url)).filter((r) => r.api === "chat" && r.stream);
    expect(all).toHaveLength(10);
    const recs = [...all].sort((a, b) => a.seq - b.seq).slice(2);
    for (const r of recs) expect(r.outcome).toBe("completed");
    const truthTtft = lowerMedian(recs.map((r) => r.token_chunks_ms[0] - r.received_ms));
    const truthItl = lowerMedian(
      recs.flatMap((r) => r.token_chunks_ms.slice(1).map((t, i) => t - r.token_chunks_ms[i])),
    );
    const ttft = await cellValue(page, "ttft-p50");
    const itl = await cellValue(page, "itl-p50");
    const tpot = await cellValue(page, "tpot-p50");
    const e2e = await cellValue(page, "e2e-p50");
    console.log(
      `TTFT p50 browser ${ttft.toFixed(2)} ms vs server ${truthTtft.toFixed(2)} ms; ` +
        `ITL p50 browser ${itl.toFixed(2)} vs server ${truthItl.toFixed(2)}; TPOT p50 ${tpot.toFixed(2)}; E2E p50 ${e2e.toFixed(2)}`,
    );
    // The browser's start is Resource Timing's requestStart and its response stamps are
    // corrected for the page's delivery delay (record `clock: resource_timing`), so what
    // remains is transport on loopback plus timer coarsening (0.1 ms): measured here +1.5 ms
    // on TTFT under load (it was +3 to +5 ms with the fetch() stamp); ITL within 0.1 ms.
    // The delay correction is an estimate, so the browser may read a little under the
    // server; the goal, max(1 ms, 2 %), bounds it (a CI run read −0.57 ms).
    expect(ttft).toBeGreaterThanOrEqual(truthTtft - goal(truthTtft));
    expect(ttft - truthTtft).toBeLessThanOrEqual(Math.max(8, 0.1 * truthTtft));
    expect(Math.abs(itl - truthItl)).toBeLessThanOrEqual(Math.max(2, 0.1 * truthItl));
    for (const id of ["ttft-p90", "ttft-p99", "e2e-p99", "output-tps-system", "output-tps-per-user"]) {
      expect(await cellValue(page, id)).toBeGreaterThan(0);
    }

    // Export JSON: the documented schema, every request, no secrets.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("export-json").click(),
    ]);
    const doc = JSON.parse(readFileSync(await download.path(), "utf8"));
    expect(doc.schema).toBe("inferlab.loadtest");
    expect(doc.records.filter((r) => !r.warmup)).toHaveLength(8);
    expect(doc.summary.requests_ok).toBe(8);
    expect(doc.config.api_key).toBeUndefined();
    // The test server sends Timing-Allow-Origin: no advice to add it.
    await expect(page.getByTestId("diagnoses")).not.toContainText("Timing-Allow-Origin");
    expect(errors).toEqual([]);
  });

  test("Stop aborts a run that would go on, and results stay exportable", async ({ page }) => {
    test.setTimeout(60_000);
    await runLink(page, server.url, "users=2&requests=1000&max_tokens=200&model=m");
    await expect(page.getByTestId("stop")).toBeVisible();
    await expect.poll(() => cellValue(page, "requests-ok"), { timeout: 20_000 }).toBeGreaterThan(0);
    await page.getByTestId("stop").click();
    await expect(page.getByTestId("run-status")).toHaveAttribute("data-phase", "finished", { timeout: 10_000 });
    expect(await cellValue(page, "requests-failed")).toBe(0);
    await expect(page.getByTestId("export-json")).toBeEnabled();
  });
});

test("a CORS refusal fails every request with the per-engine fix", async ({ page }) => {
  const refusing = await startServer(["--no-cors"]);
  try {
    await runLink(page, refusing.url, "users=1&requests=2&max_tokens=4&model=m");
    await expect(page.getByTestId("requests-failed")).toHaveAttribute("data-value", "2", { timeout: 20_000 });
    await expect(page.getByTestId("requests-ok")).toHaveAttribute("data-value", "0");
    const diag = page.getByTestId("diagnoses");
    await expect(diag).toContainText("CORS");
    await expect(diag).toContainText("--allowed-origins");
    await expect(diag).toContainText("OLLAMA_ORIGINS");
    await expect(page.getByTestId("errors-by-kind")).toContainText("network");
  } finally {
    refusing.proc.kill();
  }
});

test("without Timing-Allow-Origin the stamps stay on the fetch() clock, and the page says how to fix it", async ({ page }) => {
  test.setTimeout(60_000);
  const plain = await startServer(["--no-timing-allow-origin", "--ttft-ms", "20", "--itl-ms", "5"]);
  try {
    await runLink(page, plain.url, "users=1&requests=6&max_tokens=8&model=m");
    await expect(page.getByTestId("run-status")).toHaveAttribute("data-phase", "finished", { timeout: 30_000 });
    await expect(page.getByTestId("requests-ok")).toHaveAttribute("data-value", "6");
    const diag = page.getByTestId("diagnoses");
    await expect(diag).toContainText("6 of 6 requests timed from fetch()");
    await expect(diag).toContainText("Timing-Allow-Origin: http://127.0.0.1");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-json").click()]);
    const doc = JSON.parse(readFileSync(await download.path(), "utf8"));
    expect(doc.records.every((r) => r.clock === "fetch")).toBe(true);
  } finally {
    plain.proc.kill();
  }
});
