// Diagnostic (not part of make test): how far is the browser's TTFT at N streams from what
// this machine allows any client? Per round, interleaved so load drifts hit all three alike:
// the load tester driven by Playwright, the same driven over a bare DevTools pipe
// (bare-chromium.mjs), and Node's own HTTP/2 client on the same closed loop (nativeFloor).
// Prints each TTFT p50 error against the server's truth and the medians over the rounds.
// Usage: node probe-floor.mjs [rounds=5] [users=64]   (needs ../dist and INFERLAB_TESTSERVER)
import { launchChromium, serveDist } from "./browser.mjs";
import { launchBare } from "./bare-chromium.mjs";
import { ACCURACY_SERVER, lowerMedian, nativeFloor, runBare, runInPage, serverRecords, startServer, truth } from "./loadtest-harness.mjs";

const rounds = Number(process.argv[2] ?? 5), users = Number(process.argv[3] ?? 64);
const port = Number(process.env.E2E_PORT ?? 4173) + 9;
const web = await serveDist(port);
const base = `http://127.0.0.1:${port}`;
const opts = (url) => ({ urls: [url], users, requests: users * 4, maxTokens: 32, warmup: users });
const errs = { playwright: [], bare: [], node: [] };

async function browserRun(kind) {
  const server = await startServer(ACCURACY_SERVER, 1);
  const browser = kind === "bare" ? await launchBare({ extraArgs: ["--ignore-certificate-errors"] }) : await launchChromium();
  try {
    const { cells } = kind === "bare"
      ? await runBare(await browser.newPage(), base, opts(server.url))
      : await runInPage(await (await browser.newContext({ baseURL: base, ignoreHTTPSErrors: true })).newPage(), opts(server.url));
    const t = truth((await serverRecords(server.url)).filter((r) => r.api === "chat" && r.stream));
    return cells["ttft-p50"] - t.ttft;
  } finally {
    await browser.close();
    server.proc.kill();
  }
}

try {
  for (let k = 1; k <= rounds; k++) {
    errs.playwright.push(await browserRun("playwright"));
    errs.bare.push(await browserRun("bare"));
    const n = await nativeFloor(users);
    errs.node.push(n.ttft - n.truthTtft);
    console.log(`round ${k}: TTFT p50 error, ms: Playwright ${errs.playwright.at(-1).toFixed(2)}, bare pipe ${errs.bare.at(-1).toFixed(2)}, Node HTTP/2 ${errs.node.at(-1).toFixed(2)}`);
  }
  const m = (v) => lowerMedian(v).toFixed(2);
  console.log(`${users} streams, median of ${rounds} rounds: Playwright +${m(errs.playwright)} ms, bare pipe +${m(errs.bare)} ms, Node's HTTP/2 client (the machine's floor) +${m(errs.node)} ms (goal ±1.03)`);
} finally {
  web.kill();
}
