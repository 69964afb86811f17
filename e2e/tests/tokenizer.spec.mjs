// The tokenizer in the browser: the release wasm worker must give exactly the ids of the
// Python `tokenizers` reference (core/tokenize/tests/fixtures/expected_ids.json, made by
// scripts/gen_tokenizer_expected.py) for every bundled tokenizer and every corpus case.
import { test, expect } from "@playwright/test";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

const PORT = Number(process.env.E2E_PORT ?? 4173);
const ROOT = `http://127.0.0.1:${PORT}`;

const here = path.dirname(fileURLToPath(import.meta.url));
const expected = JSON.parse(
  readFileSync(path.join(here, "../../core/tokenize/tests/fixtures/expected_ids.json"), "utf8"),
);
const BUNDLED = ["qwen3", "deepseek-v3", "mistral-nemo", "gpt-4o", "bert-base-uncased"];
const fixtures = path.join(here, "../../core/tokenize/tests/fixtures");
// Tokenizers whose licences keep them out of the repo (fetched by
// `python3 scripts/gen_tokenizer_expected.py --fetch`) and the T5-style Unigram fixture: served
// to the app by a local server, as any tokenizer.json URL would be.
const SERVED = { llama3: "downloaded/llama3", llama2: "downloaded/llama2", gemma3: "downloaded/gemma3", "t5-unigram": "t5-unigram" };

/**
 * A static server for the fixtures with CORS, plus test routes: `/slow/<path>` sends the file
 * in 64 KiB pieces 15 ms apart (a visible download), `/gated/…` answers 401 as the Hub does.
 */
function startFixtureServer() {
  const server = createServer((req, res) => {
    res.setHeader("Access-Control-Allow-Origin", "*");
    const url = new URL(req.url, "http://x");
    if (url.pathname.startsWith("/gated/")) {
      res.writeHead(401).end("gated");
      return;
    }
    const slow = url.pathname.startsWith("/slow/");
    const rel = decodeURIComponent(url.pathname.replace(/^\/slow/, ""));
    const file = path.join(fixtures, path.normalize(rel));
    if (!file.startsWith(fixtures) || !existsSync(file)) {
      res.writeHead(404).end("not found");
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": body.length });
    if (!slow) {
      res.end(body);
      return;
    }
    let at = 0;
    const step = () => {
      if (at >= body.length) return res.end();
      res.write(body.subarray(at, at + 65536));
      at += 65536;
      setTimeout(step, 15);
    };
    step();
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

let fixtureServer;
let FIX;
test.beforeAll(async () => {
  fixtureServer = await startFixtureServer();
  FIX = `http://127.0.0.1:${fixtureServer.address().port}`;
});
test.afterAll(() => fixtureServer?.close());

/** Checks every corpus case of `tok` (as named in the link) against the reference ids. */
async function checkCases(page, tok, refId) {
  const q = `tok=${encodeURIComponent(tok)}`;
  await page.goto(`/tokenizer?${q}`);
  const box = page.getByLabel("Text", { exact: true });
  let checked = 0;
  for (const [name, c] of Object.entries(expected[refId].cases)) {
    if (c.text === "") continue; // the empty text shows the same ids as before; covered natively
    if (c.text.includes("\r")) {
      // A textarea turns CR and CRLF into LF (HTML's newline normalisation), so texts with
      // CR come in through the link, which keeps them byte for byte.
      await page.goto(`/tokenizer?${q}&view=ids&text=${encodeURIComponent(c.text)}`);
    } else {
      await box.fill(c.text);
    }
    const ids = page.getByTestId("token-ids");
    await expect(ids, `${refId}/${name}`).toHaveAttribute("data-value", JSON.stringify(c.ids), { timeout: 60_000 });
    await expect(page.getByTestId("token-count")).toHaveAttribute("data-value", String(c.ids.length));
    checked++;
  }
  return checked;
}

test("ids equal the Python reference for every bundled tokenizer and corpus case", async ({ page }) => {
  test.setTimeout(240_000);
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  let checked = 0;
  for (const tok of BUNDLED) checked += await checkCases(page, tok, tok);
  console.log(`tokenizer conformance in Chromium (release wasm worker): ${checked} cases, ${BUNDLED.length} bundled tokenizers, all identical`);
  expect(errors).toEqual([]);
});

test("ids equal the Python reference for Llama 3, Llama 2, Gemma 3 and T5 (Unigram) loaded by URL", async ({ page }) => {
  test.setTimeout(300_000);
  const present = Object.entries(SERVED).filter(([, dir]) => existsSync(path.join(fixtures, dir, "tokenizer.json")));
  if (present.length < Object.keys(SERVED).length) {
    const missing = Object.keys(SERVED).filter((k) => !present.some(([p]) => p === k));
    const why = `fixtures missing: ${missing.join(", ")} (run python3 scripts/gen_tokenizer_expected.py --fetch)`;
    if (process.env.INFERLAB_REQUIRE_ALL_TOKENIZERS) throw new Error(why);
    console.log(`skipping ${why}`);
  }
  let checked = 0;
  for (const [id, dir] of present) checked += await checkCases(page, `${FIX}/${dir}/tokenizer.json`, id);
  console.log(`tokenizer conformance in Chromium, tokenizers loaded by URL: ${checked} cases, ${present.map(([k]) => k).join(", ")}, all identical`);
});

test("compare: the same text in several tokenizers, each with its ids and the difference in %", async ({ page }) => {
  const c = expected.qwen3.cases.english;
  await page.goto(`/tokenizer?tok=qwen3&cmp=gpt-4o,bert-base-uncased&text=${encodeURIComponent(c.text)}`);
  for (const tok of ["gpt-4o", "bert-base-uncased"]) {
    const want = expected[tok].cases.english.ids;
    await expect(page.locator(`[data-testid=token-ids][data-tokenizer="${tok}"]`)).toHaveAttribute("data-value", JSON.stringify(want), { timeout: 60_000 });
    await expect(page.locator(`[data-testid=token-count][data-tokenizer="${tok}"]`)).toHaveAttribute("data-value", String(want.length));
    const pct = ((want.length - c.ids.length) / c.ids.length) * 100;
    const diff = page.locator(`[data-testid=token-diff][data-tokenizer="${tok}"]`);
    await expect(diff).toHaveText(Math.abs(pct) < 0.05 ? "same" : `${pct > 0 ? "+" : ""}${pct.toFixed(1)} %`);
  }
  await expect(page.locator(`[data-testid=token-ids][data-tokenizer="qwen3"]`)).toHaveAttribute("data-value", JSON.stringify(c.ids));
  // A tokenizer that can't load fails alone.
  await page.goto(`/tokenizer?tok=qwen3&cmp=gpt-4o,${ROOT}/missing/tokenizer.json&text=hi`);
  await expect(page.locator("[data-testid=compare-error]")).toContainText("no tokenizer.json", { timeout: 60_000 });
  await expect(page.locator(`[data-testid=token-count][data-tokenizer="gpt-4o"]`)).toHaveAttribute("data-value", /^[1-9]/);
});

test("chat: the template renders the conversation, counts it, and says where a broken template fails", async ({ page }) => {
  await page.goto("/tokenizer?tok=qwen3&view=ids");
  const rendered = page.getByTestId("chat-rendered");
  await expect(rendered).toHaveAttribute(
    "data-value",
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n",
    { timeout: 60_000 },
  );
  // The chat count is the count of the rendered text (whose ids are checked above against Python).
  const text = await rendered.getAttribute("data-value");
  const chatCount = await page.getByTestId("chat-token-count").getAttribute("data-value");
  await page.getByLabel("Text", { exact: true }).fill(text);
  await expect(page.getByTestId("token-count")).toHaveAttribute("data-value", chatCount);
  expect(JSON.parse(await page.getByTestId("token-ids").getAttribute("data-value"))[0]).toBe(151644); // <|im_start|>
  // Without the generation prompt the assistant header goes.
  await page.getByTestId("add-generation-prompt").uncheck();
  await expect(rendered).not.toHaveAttribute("data-value", /assistant\n$/);
  // A broken edit says why and where; the page keeps working.
  await page.locator("details.chat-template summary").click();
  await page.getByTestId("chat-template").fill("{% for m in messages %}\n{{ m.content }\n{% endfor %}");
  await expect(page.getByTestId("chat-error")).toContainText("line 2");
  await page.getByRole("button", { name: "Use the tokenizer's template" }).click();
  await expect(rendered).toBeVisible();
  // A tokenizer without a template says so.
  await page.goto("/tokenizer?tok=bert-base-uncased");
  await expect(page.getByTestId("chat-error")).toContainText("no chat_template", { timeout: 60_000 });
});

test("a local tokenizer.json works like a bundled one; a bad file gets a clear message", async ({ page }) => {
  const c = expected["gpt-4o"].cases.english;
  await page.goto(`/tokenizer?tok=qwen3&text=${encodeURIComponent(c.text)}`);
  await expect(page.getByTestId("token-count")).toHaveAttribute("data-value", /^[1-9]/, { timeout: 60_000 });
  const dir = path.join(here, "../../public/tokenizers/gpt-4o");
  await page.getByTestId("tokenizer-file").setInputFiles([path.join(dir, "tokenizer.json"), path.join(dir, "tokenizer_config.json")]);
  await expect(page.getByTestId("token-ids")).toHaveAttribute("data-value", JSON.stringify(c.ids), { timeout: 60_000 });
  await expect(page.getByTestId("file-note")).toContainText("tokenizer.json");
  expect(page.url()).toContain("tok=qwen3"); // the link names what it can share
  await page.getByTestId("tokenizer-file").setInputFiles({ name: "tokenizer.json", mimeType: "application/json", buffer: Buffer.from('{"hello": 1}') });
  await expect(page.getByTestId("tokenizer-error")).toContainText("not a Hugging Face tokenizer.json", { timeout: 30_000 });
  await page.getByTestId("tokenizer-file").setInputFiles({ name: "tokenizer.json", mimeType: "application/json", buffer: Buffer.from("{ truncated") });
  await expect(page.getByTestId("tokenizer-error")).toContainText("not valid JSON");
  await page.getByRole("button", { name: "Use the named tokenizer" }).click();
  await expect(page.getByTestId("token-count")).toHaveAttribute("data-value", /^[1-9]/, { timeout: 60_000 });
});

test("a download shows progress, a reload comes from the cache, a gated repo asks for a token", async ({ page }) => {
  test.setTimeout(120_000);
  const present = existsSync(path.join(fixtures, "downloaded/llama3/tokenizer.json"));
  const dir = present ? "downloaded/llama3" : "t5-unigram";
  const url = `${FIX}/slow/${dir}/tokenizer.json`;
  await page.goto(`/tokenizer?tok=${encodeURIComponent(url)}&text=hello`);
  await expect(page.getByTestId("tokenizer-progress")).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("tokenizer-progress")).toContainText("MB of");
  await expect(page.getByTestId("tokenizer-info")).toHaveAttribute("data-cached", "false", { timeout: 90_000 });
  await page.reload();
  await expect(page.getByTestId("tokenizer-info")).toHaveAttribute("data-cached", "true", { timeout: 30_000 });
  await expect(page.getByTestId("token-count")).toHaveAttribute("data-value", /^[1-9]/);
  await page.goto(`/tokenizer?tok=${encodeURIComponent(`${FIX}/gated/tokenizer.json`)}&text=hello`);
  await expect(page.getByTestId("tokenizer-error")).toContainText("Hub token", { timeout: 30_000 });
});

test("long texts travel in the link packed; one too long is left out and the page says so", async ({ page }) => {
  await page.goto("/tokenizer?tok=qwen3");
  const prose = "It was the best of times, it was the worst of times. ".repeat(300); // 15.9 KB
  await page.getByLabel("Text", { exact: true }).fill(prose);
  await expect(page).toHaveURL(/text=~/);
  const count = page.getByTestId("token-count");
  await expect(count).toHaveAttribute("data-value", /^[1-9]/, { timeout: 60_000 });
  const n = await count.getAttribute("data-value");
  expect(page.url().length).toBeLessThan(16 * 1024);
  await page.goto(page.url());
  await expect(page.getByLabel("Text", { exact: true })).toHaveValue(prose);
  await expect(count).toHaveAttribute("data-value", n, { timeout: 60_000 });
  // Incompressible text past the limit: no text in the link, and a note.
  let noise = "";
  let x = 12345;
  for (let i = 0; i < 30000; i++) { x = (x * 1103515245 + 12345) % 2147483648; noise += String.fromCodePoint(0x4e00 + (x % 20000)); }
  await page.getByLabel("Text", { exact: true }).fill(noise);
  await expect(page.getByTestId("text-not-in-link")).toBeVisible();
  await expect(page).not.toHaveURL(/text=/);
});

test("a crashed worker is reported and restarted on the next request", async ({ page }) => {
  await page.goto("/tokenizer?tok=qwen3&text=hello");
  await expect(page.getByTestId("token-count")).toHaveAttribute("data-value", /^[1-9]/, { timeout: 60_000 });
  const told = await page.evaluate(() => window.wasmBindings.debug_crash_tokenizer_worker());
  expect(told).toContain("crashed");
  await page.getByLabel("Text", { exact: true }).fill("hello world again");
  await expect(page.getByTestId("token-count")).toHaveAttribute("data-value", "3", { timeout: 60_000 });
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
