// The load tester's workload and request settings against the real test server
// (tools/testserver): open loop with Poisson arrivals, sweeps, goodput SLOs, links that only
// fill the form, JSONL uploads, synthetic prompts of exact length and ISL × OSL matrices.
// Every run is small (a few requests, a few tokens) so the file stays fast.
import { test, expect } from "@playwright/test";
import { readFileSync } from "node:fs";
import { startServer } from "../loadtest-harness.mjs";

async function completions(url) {
  const res = await fetch(`${url}/debug/requests`);
  expect(res.ok).toBe(true);
  return (await res.json()).requests.filter((r) => r.api === "chat" || r.api === "completions");
}

async function cellValue(page, id) {
  return Number(await page.getByTestId(id).getAttribute("data-value"));
}

function watchConsole(page) {
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  return errors;
}

async function runAndConfirm(page, confirmTimeout = 10_000) {
  await page.getByTestId("run").click();
  await expect(page.getByTestId("confirm")).toBeVisible({ timeout: confirmTimeout });
  await page.getByTestId("confirm-run").click();
}

async function finished(page, timeout = 30_000) {
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-phase", "finished", { timeout });
  await expect(page.getByTestId("run")).toBeVisible({ timeout });
}

test.describe("load tester workloads", () => {
  let server;
  test.beforeAll(async () => {
    server = await startServer(["--ttft-ms", "20", "--itl-ms", "5"]);
  });
  test.afterAll(() => server?.proc.kill());
  test.beforeEach(async () => {
    await fetch(`${server.url}/debug/reset`, { method: "POST" });
  });

  test("a link with the new keys fills the form and starts nothing", async ({ page }) => {
    const errors = watchConsole(page);
    const q = new URLSearchParams({
      url: server.url, model: "m", mode: "sweep", sweep_over: "rate", steps: "0.5,1,2",
      arrival: "gamma", burstiness: "0.5", ramp: "2", max_concurrency: "3",
      slo_ttft: "250", slo_tpot: "40", slo_e2e: "2000", tok: "gpt-4o", matrix: "16x4,32x2",
    });
    await page.goto(`/loadtest?${q}`);
    await expect(page.getByLabel("Sweep over")).toHaveValue("rate");
    await expect(page.getByLabel("Steps")).toHaveValue("0.5,1,2");
    await expect(page.getByLabel("Arrival")).toHaveValue("gamma");
    await expect(page.getByLabel("Burstiness")).toHaveValue("0.5");
    await expect(page.getByLabel("Ramp-up (s)")).toHaveValue("2");
    await expect(page.getByLabel("Max concurrency")).toHaveValue("3");
    await expect(page.getByLabel("SLO TTFT (ms)")).toHaveValue("250");
    await expect(page.getByLabel("SLO TPOT (ms)")).toHaveValue("40");
    await expect(page.getByLabel("SLO E2E (ms)")).toHaveValue("2000");
    await expect(page.getByLabel("Tokenizer (synthetic)")).toHaveValue("gpt-4o");
    await expect(page.getByLabel("ISL × OSL matrix")).toHaveValue("16x4,32x2");
    await page.waitForTimeout(1500);
    expect(await completions(server.url)).toEqual([]);
    await expect(page.getByTestId("confirm")).toHaveCount(0);
    await expect(page.getByTestId("stop")).toHaveCount(0);
    // A bad step is named inline.
    await page.getByLabel("Steps").fill("1,0,4");
    await page.getByLabel("Steps").blur();
    await expect(page.getByTestId("lt-steps-error")).toContainText("item 2");
    expect(errors).toEqual([]);
  });

  test("open loop, Poisson: exactly the requested number of requests; goodput under SLOs", async ({ page }) => {
    test.setTimeout(60_000);
    const q = new URLSearchParams({
      url: server.url, model: "m", mode: "rate", rate: "20", arrival: "poisson",
      requests: "6", max_tokens: "4", slo_ttft: "5000", slo_e2e: "20000",
    });
    await page.goto(`/loadtest?${q}`);
    await page.getByTestId("run").click();
    await expect(page.getByTestId("confirm")).toContainText("6 requests");
    await page.getByTestId("confirm-run").click();
    await finished(page);
    await expect(page.getByTestId("requests-ok")).toHaveAttribute("data-value", "6");
    expect(await completions(server.url)).toHaveLength(6);
    await expect(page.getByTestId("goodput-requests")).toHaveAttribute("data-value", "6");
    expect(await cellValue(page, "goodput-rps")).toBeGreaterThan(0);
  });

  test("a users sweep gives one row per step", async ({ page }) => {
    test.setTimeout(60_000);
    const q = new URLSearchParams({
      url: server.url, model: "m", mode: "sweep", sweep_over: "users", steps: "1,2,3",
      requests: "3", max_tokens: "4",
    });
    await page.goto(`/loadtest?${q}`);
    await runAndConfirm(page);
    await finished(page);
    await expect(page.getByTestId("sweep-row")).toHaveCount(3);
    const xs = await page.getByTestId("sweep-row").locator("td:first-child").allTextContents();
    expect(xs).toEqual(["1", "2", "3"]);
    expect(await completions(server.url)).toHaveLength(9);
    // No SLO set: the goodput cells stay empty.
    await expect(page.getByTestId("goodput-rps")).toHaveAttribute("data-value", "");
  });

  test("JSONL: a bad line is named; a good file is counted and its prompts are sent", async ({ page }) => {
    test.setTimeout(60_000);
    await page.goto(`/loadtest?url=${encodeURIComponent(server.url)}&model=m&users=1&requests=2&max_tokens=4`);
    const file = page.getByLabel("JSONL prompts");
    await file.setInputFiles({
      name: "bad.jsonl",
      mimeType: "application/jsonl",
      buffer: Buffer.from('"first"\n{"prompt": oops}\n'),
    });
    await expect(page.getByTestId("jsonl-error")).toContainText("line 2");
    await file.setInputFiles({
      name: "good.jsonl",
      mimeType: "application/jsonl",
      buffer: Buffer.from(
        '{"prompt": "zebra-alpha", "max_tokens": 2}\n\n[{"role": "user", "content": "zebra-beta"}]\n"zebra-gamma"\n',
      ),
    });
    await expect(page.getByTestId("jsonl-status")).toContainText("3 prompts");
    await expect(page.getByLabel("Prompts", { exact: true })).toHaveValue("jsonl");
    await runAndConfirm(page);
    await finished(page);
    const recs = await completions(server.url);
    expect(recs).toHaveLength(2);
    expect(recs.map((r) => r.prompt).join(" ")).toContain("zebra-alpha");
    expect(recs.map((r) => r.prompt).join(" ")).toContain("zebra-beta");
    // A line's own max_tokens wins over the form's (4).
    const maxOf = (word) => recs.find((r) => r.prompt.includes(word))?.max_tokens;
    expect([maxOf("zebra-alpha"), maxOf("zebra-beta")]).toEqual([2, 4]);
  });

  test("invalid extra body JSON is named inline and blocks Run", async ({ page }) => {
    await page.goto(`/loadtest?url=${encodeURIComponent(server.url)}&model=m&users=1&requests=1&max_tokens=4`);
    await page.getByLabel("Extra JSON body fields").fill('{"top_p": 0.9,');
    await expect(page.getByTestId("extra-body-error")).toContainText("not valid JSON");
    await page.getByTestId("run").click();
    await expect(page.locator("p.lt-diag.bad")).toContainText("extra body fields");
    await expect(page.getByTestId("confirm")).toHaveCount(0);
    await page.getByLabel("Extra JSON body fields").fill('{"top_p": 0.5}');
    await expect(page.getByTestId("extra-body-error")).toHaveCount(0);
  });

  test("synthetic prompts have exactly ISL tokens; an ISL × OSL matrix runs cell by cell", async ({ page }) => {
    test.setTimeout(120_000);
    const q = new URLSearchParams({
      url: server.url, model: "m", api: "completions", prompt: "synthetic", isl: "64",
      tok: "qwen3", users: "1", requests: "2", max_tokens: "4",
    });
    await page.goto(`/loadtest?${q}`);
    await runAndConfirm(page, 60_000);
    await expect(page.getByTestId("synthetic-tokens")).toHaveAttribute("data-value", "64");
    await finished(page);
    let recs = await completions(server.url);
    expect(recs).toHaveLength(2);
    // Two distinct prompts, no cache-busting prefix (it would change the length).
    expect(recs[0].prompt).not.toEqual(recs[1].prompt);
    for (const r of recs) {
      expect(r.prompt.startsWith("[req")).toBe(false);
      // The test server estimates ~4 characters per token: a loose check on the size.
      expect(r.prompt_chars).toBeGreaterThan(64);
      expect(r.prompt_chars).toBeLessThan(64 * 12);
    }

    await fetch(`${server.url}/debug/reset`, { method: "POST" });
    await page.getByLabel("ISL × OSL matrix").fill("16x4,32x2");
    await page.getByLabel("ISL × OSL matrix").blur();
    await page.getByTestId("run").click();
    await expect(page.getByTestId("confirm")).toContainText("2 ISL × OSL cells", { timeout: 60_000 });
    await page.getByTestId("confirm-run").click();
    await expect(page.locator('[data-testid="matrix-row"][data-done="true"]')).toHaveCount(2, { timeout: 60_000 });
    await expect(page.getByTestId("matrix-ok")).toHaveText(["2", "2"]);
    recs = await completions(server.url);
    expect(recs.map((r) => r.max_tokens)).toEqual([4, 4, 2, 2]);
    // The matrix CSV holds every cell, not only the last run's records.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("export-matrix-csv").click(),
    ]);
    const rows = readFileSync(await download.path(), "utf8").trim().split("\n");
    expect(rows[0]).toMatch(/^isl,osl,requests_ok,requests_failed,ttft_p50_ms/);
    expect(rows.slice(1).map((r) => r.split(",").slice(0, 4).join(","))).toEqual(["16,4,2,0", "32,2,2,0"]);
    // The page's own export covers the last cell and says so; the matrix's buttons cover all.
    await expect(page.getByTestId("export-json")).toHaveText("Export JSON (last cell)");
    await expect(page.getByTestId("export-csv")).toHaveAttribute("title", /matrix table's buttons export every cell/);
    // The JSON export names the tokenizer that measured the ISL.
    const [json] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-json").click()]);
    const doc = JSON.parse(readFileSync(await json.path(), "utf8"));
    expect(doc.config.workload.tokenizer).toBe("qwen3");
    expect(doc.config.workload.synthetic).toEqual({ isl: 32, osl: 2 });
    // The matrix JSON holds every cell's records (step = cell) and one row per cell.
    const [mjson] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-matrix-json").click()]);
    const mdoc = JSON.parse(readFileSync(await mjson.path(), "utf8"));
    expect(mdoc.schema).toBe("inferlab.loadtest");
    expect(mdoc.config.workload.matrix).toEqual([{ isl: 16, osl: 4 }, { isl: 32, osl: 2 }]);
    expect(mdoc.records.map((r) => r.step)).toEqual([0, 0, 1, 1]);
    expect(mdoc.sweep.map((r) => [r.x, r.cell])).toEqual([[0, { isl: 16, osl: 4 }], [1, { isl: 32, osl: 2 }]]);
    expect(mdoc.summary.requests_ok).toBe(4);
  });
});
