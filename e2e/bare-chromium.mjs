// Chromium driven over a bare DevTools pipe, for the load tester's figures in make bench.
//
// Why not Playwright here: Playwright enables the DevTools Network domain on every page and
// worker it attaches to, so each request the load tester sends is also reported, through the
// browser process, to the driving Node process. That is work a user's browser does not do,
// on the same 2 cores that read the streams. This driver enables nothing: it opens one tab,
// evaluates JavaScript in it (Runtime.evaluate works without Runtime.enable) and takes one
// download. Same binary and headless flags as browser.mjs.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** Launches Chromium with `--remote-debugging-pipe`; resolves with `{ newPage, close }`. */
export async function launchBare({ extraArgs = [] } = {}) {
  const profile = mkdtempSync(path.join(tmpdir(), "inferlab-bare-"));
  const downloads = path.join(profile, "downloads");
  const proc = spawn(
    process.env.CHROMIUM ?? "/usr/bin/chromium",
    [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      `--user-data-dir=${profile}`, "--remote-debugging-pipe", ...extraArgs, "about:blank",
    ],
    { stdio: ["ignore", "ignore", "ignore", "pipe", "pipe"] },
  );
  const [toChrome, fromChrome] = [proc.stdio[3], proc.stdio[4]];
  let seq = 0;
  const waits = new Map();
  const listeners = new Set();
  let pending = "";
  fromChrome.on("data", (d) => {
    pending += d.toString("utf8");
    let i;
    while ((i = pending.indexOf("\0")) >= 0) {
      const msg = JSON.parse(pending.slice(0, i));
      pending = pending.slice(i + 1);
      if (msg.id !== undefined) {
        const w = waits.get(msg.id);
        waits.delete(msg.id);
        if (w) msg.error ? w.reject(new Error(`${w.method}: ${msg.error.message}`)) : w.resolve(msg.result);
      } else for (const l of listeners) l(msg);
    }
  });
  const send = (method, params = {}, sessionId) =>
    new Promise((resolve, reject) => {
      const id = ++seq;
      waits.set(id, { resolve, reject, method });
      toChrome.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + "\0");
    });
  const next = (pred, timeoutMs) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => (listeners.delete(l), reject(new Error("timed out waiting for a DevTools event"))), timeoutMs);
      const l = (m) => pred(m) && (clearTimeout(timer), listeners.delete(l), resolve(m));
      listeners.add(l);
    });
  await send("Browser.getVersion");
  await send("Browser.setDownloadBehavior", { behavior: "allowAndName", downloadPath: downloads, eventsEnabled: true });

  async function newPage() {
    const { targetId } = await send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true });
    await send("Page.enable", {}, sessionId);
    /** Evaluates `expr` (awaiting a promise) in the page; returns its JSON value. */
    const evaluate = async (expr) => {
      const r = await send("Runtime.evaluate", { expression: expr, awaitPromise: true, returnByValue: true }, sessionId);
      if (r.exceptionDetails) throw new Error(`page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
      return r.result.value;
    };
    return {
      evaluate,
      async goto(url) {
        const loaded = next((m) => m.sessionId === sessionId && m.method === "Page.loadEventFired", 30_000);
        await send("Page.navigate", { url }, sessionId);
        await loaded;
      },
      /** Polls `expr` until it is truthy (every 50 ms, up to `timeoutMs`). */
      async waitFor(expr, timeoutMs) {
        const end = Date.now() + timeoutMs;
        for (;;) {
          const v = await evaluate(expr);
          if (v) return v;
          if (Date.now() > end) throw new Error(`timed out waiting for ${expr}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      },
      /** Runs `clickExpr` and returns the text of the file it downloads. */
      async download(clickExpr, timeoutMs = 30_000) {
        const done = next((m) => m.method === "Browser.downloadProgress" && m.params.state !== "inProgress", timeoutMs);
        await evaluate(clickExpr);
        const m = await done;
        if (m.params.state !== "completed") throw new Error(`download ${m.params.state}`);
        return readFileSync(path.join(downloads, m.params.guid), "utf8");
      },
    };
  }
  return {
    newPage,
    async close() {
      await send("Browser.close").catch(() => {});
      await new Promise((r) => (proc.exitCode !== null ? r() : proc.once("exit", r)));
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
