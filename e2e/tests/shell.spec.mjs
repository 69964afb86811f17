// The app shell: routes, navigation, titles, theme, URL notice, sub-path hosting.
import { test, expect } from "@playwright/test";

const PREFIXED = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 4173) + 1}`;

/** Collects console errors and page errors, so a test can insist there are none. */
function watchConsole(page) {
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  return errors;
}

test("root goes to the calculator and every route renders with its title", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto("/");
  await expect(page).toHaveURL(/\/calculator$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Sizing");
  await expect(page).toHaveTitle(/Sizing & cost · InferLab/);
  for (const [name, path, title] of [
    ["Tokenizer", "/tokenizer", /Tokenizer · InferLab/],
    ["Load test", "/loadtest", /Load test · InferLab/],
    ["Sizing & cost", "/calculator", /Sizing & cost · InferLab/],
  ]) {
    await page.getByRole("navigation", { name: "Tools" }).getByRole("link", { name }).click();
    await expect(page).toHaveURL(new RegExp(`${path}$`));
    await expect(page).toHaveTitle(title);
    await expect(page.getByRole("link", { name })).toHaveAttribute("aria-current", "page");
  }
  expect(errors).toEqual([]);
});

test("a deep link works straight from the static host (SPA fallback)", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto("/loadtest?users=8");
  await expect(page.getByLabel("Concurrent users")).toHaveValue("8");
  await page.goto("/no-such-page");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  expect(errors).toEqual([]);
  // Hosts without rewrites (GitHub Pages) serve 404.html for unknown paths: it is the app.
  const fallback = await page.request.get("/404.html");
  expect(await fallback.text()).toContain("TrunkApplicationStarted");
});

test("bad link parameters give a notice naming them, defaults, and no other console error", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto("/calculator?foo=1&bar=%ZZ");
  const notice = page.getByTestId("url-notice");
  await expect(notice).toBeVisible();
  await expect(notice).toContainText("foo");
  await expect(notice).toContainText("bar");
  await page.getByTestId("url-notice-dismiss").click();
  await expect(notice).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("an over-long link is refused with a notice", async ({ page }) => {
  await page.goto(`/tokenizer?text=${"x".repeat(17 * 1024)}`);
  await expect(page.getByTestId("url-notice")).toContainText("over the 16384-byte limit");
  await expect(page.getByLabel("Text")).toHaveValue("");
});

test("editing an input replaces the URL without adding history or scrolling", async ({ page }) => {
  await page.goto("/loadtest");
  const before = await page.evaluate(() => history.length);
  const users = page.getByLabel("Concurrent users");
  await users.fill("12");
  await users.press("Tab");
  await expect(page).toHaveURL(/users=12/);
  await users.fill("16");
  await users.press("Tab");
  await expect(page).toHaveURL(/users=16/);
  expect(await page.evaluate(() => history.length)).toBe(before);
});

test("theme toggle switches and is remembered across reloads", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto("/calculator");
  const html = page.locator("html");
  await page.getByTestId("theme-toggle").click();
  await expect(html).toHaveAttribute("data-theme", "dark");
  await page.reload();
  await expect(html).toHaveAttribute("data-theme", "dark");
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(bg).toBe("rgb(15, 17, 23)");
  await page.getByTestId("theme-toggle").click();
  await expect(html).toHaveAttribute("data-theme", "light");
});

test("copy link puts the current URL on the clipboard", async ({ page }) => {
  await page.goto("/loadtest?users=3");
  await page.getByTestId("copy-link").click();
  await expect(page.getByText("Copied")).toBeVisible();
  const text = await page.evaluate(() => navigator.clipboard.readText());
  expect(text).toContain("/loadtest?users=3");
});

test("usable at 375 px wide: no horizontal scroll", async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  for (const path of ["/calculator", "/tokenizer", "/loadtest"]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, path).toBeLessThanOrEqual(0);
  }
});

test("keyboard: skip link and navigation are reachable by Tab", async ({ page }) => {
  await page.goto("/calculator");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "InferLab" })).toBeFocused();
});

test("works when hosted under a sub-path", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(`${PREFIXED}/inferlab/tokenizer?view=ids`);
  await expect(page).toHaveTitle(/Tokenizer · InferLab/);
  await page.getByRole("link", { name: "Load test" }).click();
  await expect(page).toHaveURL(`${PREFIXED}/inferlab/loadtest`);
  await page.goto(`${PREFIXED}/inferlab/`);
  await expect(page).toHaveURL(`${PREFIXED}/inferlab/calculator`);
  expect(errors).toEqual([]);
});
