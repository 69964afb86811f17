// The tokenizer in the browser: the release wasm worker must give exactly the ids of the
// Python `tokenizers` reference (core/tokenize/tests/fixtures/expected_ids.json, made by
// scripts/gen_tokenizer_expected.py) for every bundled tokenizer and every corpus case.
import { test, expect } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 4173);
const ROOT = `http://127.0.0.1:${PORT}`;
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const expected = JSON.parse(
  readFileSync(path.join(here, "../../core/tokenize/tests/fixtures/expected_ids.json"), "utf8"),
);
const BUNDLED = ["qwen3", "deepseek-v3", "mistral-nemo", "gpt-4o", "bert-base-uncased"];

test("ids equal the Python reference for every bundled tokenizer and corpus case", async ({ page }) => {
  test.setTimeout(240_000);
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  let checked = 0;
  for (const tok of BUNDLED) {
    await page.goto(`/tokenizer?tok=${tok}`);
    const box = page.getByLabel("Text");
    for (const [name, c] of Object.entries(expected[tok].cases)) {
      if (c.text === "") continue; // the empty text shows the same ids as before; covered natively
      if (c.text.includes("\r")) {
        // A textarea turns CR and CRLF into LF (HTML's newline normalisation), so texts with
        // CR come in through the link, which keeps them byte for byte.
        await page.goto(`/tokenizer?tok=${tok}&view=ids&text=${encodeURIComponent(c.text)}`);
      } else {
        await box.fill(c.text);
      }
      const ids = page.getByTestId("token-ids");
      await expect(ids, `${tok}/${name}`).toHaveAttribute("data-value", JSON.stringify(c.ids), { timeout: 60_000 });
      await expect(page.getByTestId("token-count")).toHaveAttribute("data-value", String(c.ids.length));
      checked++;
    }
  }
  console.log(`tokenizer conformance in Chromium (release wasm worker): ${checked} cases, ${BUNDLED.length} tokenizers, all identical`);
  expect(errors).toEqual([]);
});

test("a link with text shows its tokens; decode turns ids back into text", async ({ page }) => {
  const c = expected.qwen3.cases.english;
  await page.goto(`/tokenizer?tok=qwen3&text=${encodeURIComponent(c.text)}&view=both`);
  await expect(page.getByTestId("token-ids")).toHaveAttribute("data-value", JSON.stringify(c.ids), { timeout: 60_000 });
  await page.getByLabel("Token ids").fill(c.ids.join(", "));
  await expect(page.getByTestId("decoded")).toHaveText(c.text);
});

test("a tokenizer that does not exist says so and the page keeps working", async ({ page }) => {
  // Tests reach only 127.0.0.1, so use a local URL that 404s rather than the Hub.
  await page.goto(`/tokenizer?tok=${ROOT}/missing/tokenizer.json&text=hello`);
  await expect(page.getByTestId("tokenizer-error")).toContainText("no tokenizer.json", { timeout: 60_000 });
  await page.getByLabel("Tokenizer (bundled id, Hub repo id or URL)").fill("qwen3");
  await page.getByLabel("Tokenizer (bundled id, Hub repo id or URL)").press("Enter");
  await expect(page.getByTestId("token-count")).toHaveAttribute("data-value", /^[1-9]/, { timeout: 60_000 });
});

test("a file that is not a tokenizer gives a clear error", async ({ page }) => {
  await page.goto(`/tokenizer?tok=${ROOT}/public/favicon.svg&text=hello`);
  await expect(page.getByTestId("tokenizer-error")).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId("tokenizer-error")).toContainText(/JSON|tokenizer/);
});
