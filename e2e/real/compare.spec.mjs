// The browser half of `make test-real` (scripts/real_engine/run.sh): our /loadtest page runs a
// bounded Poisson workload against a real llama-server; this test saves what the page showed
// (summary cells), its JSON export and the exact request bodies it sent, so run.sh can replay
// the same prompts at the same send times with AIPerf and compare the medians.
//
// Env: REAL_ENGINE_URL (llama-server base URL), REAL_OUT (folder for the results),
// REAL_RATE (requests/s, Poisson), REAL_REQUESTS, REAL_MAX_TOKENS, REAL_PROMPT (suite id).
import { test, expect } from "@playwright/test";
import { mkdirSync, writeFileSync, copyFileSync } from "node:fs";
import path from "node:path";

const engine = process.env.REAL_ENGINE_URL;
const out = process.env.REAL_OUT;
const rate = Number(process.env.REAL_RATE ?? 0.5);
const requests = Number(process.env.REAL_REQUESTS ?? 40);
const maxTokens = Number(process.env.REAL_MAX_TOKENS ?? 32);
const prompt = process.env.REAL_PROMPT ?? "dog-simple";

const CELLS = [
  "ttft-p50", "ttft-p90", "ttft-p99", "tpot-p50", "itl-p50", "e2e-p50", "e2e-p99",
  "output-tps-system", "output-tps-per-user", "requests-ok", "requests-failed",
];

test("our load tester against llama-server: a bounded Poisson run, exported", async ({ page }) => {
  test.skip(!engine || !out, "run through scripts/real_engine/run.sh (needs REAL_ENGINE_URL, REAL_OUT)");
  // Bounded: `requests` requests at `rate`/s, each ≤ max_tokens; the duration cap is a backstop.
  const durationCap = Math.ceil(requests / rate * 3 + 60);
  test.setTimeout((durationCap + 120) * 1000);
  mkdirSync(out, { recursive: true });

  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  // Every completion request the page sends, in send order, with its body.
  const sent = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && r.url().endsWith("/v1/chat/completions")) {
      sent.push({ url: r.url(), body: r.postDataJSON() });
    }
  });

  const q = new URLSearchParams({
    url: engine, api: "chat", mode: "rate", rate: String(rate), requests: String(requests),
    duration: String(durationCap), max_tokens: String(maxTokens), prompt,
  });
  await page.goto(`/loadtest?${q}`);
  await expect(page.getByLabel("Base URL")).toHaveValue(engine);
  await page.getByTestId("run").click();
  await expect(page.getByTestId("confirm")).toContainText(`${requests} request`);
  await page.getByTestId("confirm-run").click();
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-phase", "finished", {
    timeout: durationCap * 1000,
  });
  await expect(page.getByTestId("requests-ok")).toHaveAttribute("data-value", String(requests));
  await expect(page.getByTestId("requests-failed")).toHaveAttribute("data-value", "0");

  const cells = {};
  for (const id of CELLS) {
    cells[id] = Number(await page.getByTestId(id).getAttribute("data-value"));
  }
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("export-json").click(),
  ]);
  const exportPath = path.join(out, "browser-export.json");
  copyFileSync(await download.path(), exportPath);
  writeFileSync(path.join(out, "browser-cells.json"), JSON.stringify(cells, null, 2));
  writeFileSync(path.join(out, "browser-requests.json"), JSON.stringify(sent, null, 2));
  console.log(`browser cells: ${JSON.stringify(cells)}`);
  expect(sent).toHaveLength(requests);
  expect(errors).toEqual([]);
});
