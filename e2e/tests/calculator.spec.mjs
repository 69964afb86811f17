// The calculator's public interface: URL parameters in, data-value numbers out.
import { test, expect } from "@playwright/test";

const value = (page, id) => page.getByTestId(id).getAttribute("data-value");
const num = async (page, id) => Number(await value(page, id));

test("a link's parameters give the expected numbers (seed facts)", async ({ page }) => {
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  // 8×H100 at $33.50/h (4.1875 per GPU-hour) for 720 h = $24,120/month; 50 chat users = $482.40.
  await page.goto("/calculator?model=llama-3.1-405b&weights=fp8&kv=fp8&ctx=8192&users=5&gpu=h100-sxm&gpus=8&tp=8&price=4.1875&hours=720&per_stream=10");
  await expect(page.getByTestId("fits")).toHaveAttribute("data-value", "true");
  expect(await num(page, "cost-per-hour")).toBeCloseTo(33.5, 6);
  expect(await num(page, "cost-per-month")).toBeCloseTo(24120, 6);
  expect(await num(page, "cost-per-user-month")).toBeCloseTo(482.4, 6);
  expect(await num(page, "kv-bytes-per-token")).toBe((126 * 2 * 8 * 128) / 8); // fp8, 8 KV heads over tp 8
  // bf16 does not fit one node.
  await page.goto("/calculator?model=llama-3.1-405b&weights=bf16&gpu=h100-sxm&gpus=8&tp=8");
  await expect(page.getByTestId("fits")).toHaveAttribute("data-value", "false");
  expect(errors).toEqual([]);
});

test("KV bytes per token follow the architecture (field notes A3)", async ({ page }) => {
  for (const [model, bytes] of [["llama-3.1-8b", 131072], ["llama-3.1-70b", 327680], ["deepseek-v3", 70272]]) {
    await page.goto(`/calculator?model=${model}&gpu=h200&gpus=8&tp=1`);
    await expect(page.getByTestId("kv-bytes-per-token")).toHaveAttribute("data-value", String(bytes));
  }
});

test("changing an input updates the URL and the numbers", async ({ page }) => {
  await page.goto("/calculator?model=llama-3.1-8b");
  const before = await num(page, "kv-bytes");
  await page.getByLabel("Concurrent sequences").fill("32");
  await expect(page).toHaveURL(/users=32/);
  await expect.poll(() => num(page, "kv-bytes")).toBeGreaterThan(before);
  await page.getByLabel("KV cache").selectOption("fp8");
  await expect(page).toHaveURL(/kv=fp8/);
  await expect(page.getByTestId("kv-bytes-per-token")).toHaveAttribute("data-value", "65536");
  await page.getByLabel("Engine").selectOption("sglang");
  await expect(page).toHaveURL(/engine=sglang/);
  // The back button is not cluttered with every keystroke.
  const len = await page.evaluate(() => history.length);
  await page.getByLabel("Context length (tokens)").fill("16384");
  await expect(page).toHaveURL(/ctx=16384/);
  expect(await page.evaluate(() => history.length)).toBe(len);
});

test("the GPU table sorts and picks a GPU", async ({ page }) => {
  await page.goto("/calculator?model=llama-3.1-70b&ctx=8192&users=8");
  const table = page.getByTestId("gpu-table");
  await expect(table.locator("tbody tr")).not.toHaveCount(0);
  const counts = async () =>
    (await table.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.dataset.minGpus)))
      .filter((v) => v !== "")
      .map(Number);
  await page.getByTestId("sort-min-gpus").click();
  const asc = await counts();
  expect(asc.length).toBeGreaterThan(5);
  expect(asc).toEqual([...asc].sort((a, b) => a - b));
  await page.getByTestId("sort-min-gpus").click();
  const desc = await counts();
  expect(desc).toEqual([...desc].sort((a, b) => b - a));
  // Clicking a GPU that fits selects it with its minimum count.
  const row = table.locator("tbody tr[data-gpu=h200]");
  const n = await row.getAttribute("data-min-gpus");
  await row.getByRole("button").click();
  await expect(page).toHaveURL(/gpu=h200/);
  await expect(page.getByTestId("fits")).toHaveAttribute("data-value", "true");
  expect(n).not.toBe("");
});

test("a pasted config.json is sized; bad ones say why and keep the text", async ({ page }) => {
  await page.goto("/calculator?model=custom");
  await expect(page.getByTestId("model-error")).toContainText("Paste or upload");
  const box = page.getByLabel("config.json");
  await box.fill("{ not json");
  await expect(page.getByTestId("model-error")).toContainText("not valid JSON");
  await expect(box).toHaveValue("{ not json");
  await box.fill(JSON.stringify({ model_type: "llama", hidden_size: 4096 }));
  await expect(page.getByTestId("model-error")).toContainText("num_hidden_layers");
  const cfg = {
    architectures: ["LlamaForCausalLM"], model_type: "llama", hidden_size: 4096, intermediate_size: 14336,
    num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8, vocab_size: 128256,
    max_position_embeddings: 131072, tie_word_embeddings: false, torch_dtype: "bfloat16",
  };
  await box.fill(JSON.stringify(cfg));
  await expect(page.getByTestId("kv-bytes-per-token")).toHaveAttribute("data-value", "131072");
  await expect(page.getByTestId("model-error")).toHaveCount(0);
});

test("an unknown GPU or bad number in a link is named and defaults apply", async ({ page }) => {
  await page.goto("/calculator?gpu=h900&ctx=-5&weights=int3");
  const notice = page.getByTestId("url-notice");
  for (const k of ["gpu", "ctx", "weights"]) await expect(notice).toContainText(k);
  await expect(page.getByTestId("fits")).toHaveAttribute("data-value", "true");
});
