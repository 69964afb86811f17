// Accuracy over HTTP/2 (issue #5's goal: TTFT, ITL/TPOT and E2E medians within max(1 ms, 2 %)
// of the server's recorded truth at 1 and at 64 concurrent streams). The test server speaks
// TLS + HTTP/2 with a self-signed certificate; the page ignores certificate errors.
//
// The bounds asserted here are looser than the goal (a loaded 2-core CI box shares its cores
// between Chromium, the server and the test); the exact figures are printed, and
// `make bench` (e2e/bench-loadtest.mjs) prints them against the goal itself.
import { test, expect } from "@playwright/test";
import { ACCURACY_SERVER, clientAdded, goal, resetServer, runInPage, serverRecords, startServer, truth } from "../loadtest-harness.mjs";

test.use({ ignoreHTTPSErrors: true });

let server;
test.beforeAll(async () => {
  server = await startServer(ACCURACY_SERVER, 1);
});
test.afterAll(() => server?.proc.kill());

// Streams are read in the stream workers by default; the page transport (the fallback when
// a page cannot start workers) is checked at one stream.
for (const [users, inWorker] of [[1, true], [64, true], [1, false]]) {
  const via = inWorker ? "stream workers" : "page transport";
  test(`${users} stream(s) over HTTP/2 agree with the server's send times (${via})`, async ({ page }) => {
    test.setTimeout(150_000);
    await resetServer(server.url);
    const requests = users === 1 ? 12 : 128;
    const { cells, doc } = await runInPage(page, {
      urls: [server.url],
      users,
      requests,
      maxTokens: 16,
      warmup: users === 1 ? 2 : 64,
      inWorker,
    });
    expect(cells["requests-ok"]).toBe(requests);
    expect(cells["requests-failed"]).toBe(0);
    const srv = (await serverRecords(server.url)).filter((r) => r.api === "chat" && r.stream);
    for (const r of srv) expect(r.http_version).toBe("HTTP/2.0");
    const measured = doc.records.filter((r) => !r.warmup);
    expect(measured.every((r) => r.protocol == null || r.protocol === "h2")).toBe(true);
    const t = truth(srv);
    const rows = [
      ["TTFT", cells["ttft-p50"], t.ttft],
      ["ITL", cells["itl-p50"], t.itl],
      ["TPOT", cells["tpot-p50"], t.tpot],
      ["E2E", cells["e2e-p50"], t.e2e],
    ];
    const ca = clientAdded(doc, srv);
    console.log(
      `${users} stream(s), h2, ${via}: ` +
        rows.map(([n, b, s]) => `${n} p50 ${b.toFixed(2)} vs server ${s.toFixed(2)} (${(b - s >= 0 ? "+" : "") + (b - s).toFixed(2)} ms, goal ±${goal(s).toFixed(2)})`).join("; ") +
        `; clocks ${JSON.stringify(ca.clocks)}; client-added latency p50 ${ca.p50?.toFixed(2)} p99 ${ca.p99?.toFixed(2)} ms over ${ca.joined} chunks`,
    );
    // Most records are re-based on Resource Timing (the server sends Timing-Allow-Origin).
    expect(ca.clocks.resource_timing ?? 0).toBeGreaterThan(measured.length / 2);
    // Chromium's 1 ms HTTP/2 read hold is taken off the chunks before each stream's last.
    expect(measured.filter((r) => r.h2_hold_ms === 1).length).toBeGreaterThan(measured.length / 2);
    const [ttft, itl, , e2e] = rows;
    // Never early by more than the goal (the browser cannot see a token before it is sent).
    for (const [name, b, s] of [ttft, e2e]) {
      expect(b - s, `${name}: browser ${b} vs server ${s}`).toBeGreaterThanOrEqual(-goal(s));
    }
    if (users === 1) {
      // One stream: 4× the goal (+3 ms on TTFT) even on a loaded 2-core box.
      for (const [name, b, s] of rows) {
        const slack = 4 * goal(s) + (name === "TTFT" ? 3 : 0);
        expect(Math.abs(b - s), `${name}: browser ${b} vs server ${s}`).toBeLessThanOrEqual(slack);
      }
    } else {
      // 64 streams on a shared 2-core box: Chromium's network service, the stream workers
      // and the page (and the server) get the CPU late (TTFT +14..+28 ms with workers,
      // +38..+53 ms on the page, where chunks also arrive together: ITL 0). Only gross errors
      // are caught; `make bench` prints the figures against the goal.
      expect(e2e[1] - e2e[2]).toBeLessThanOrEqual(Math.max(150, 0.5 * e2e[2]));
      expect(ttft[1]).toBeLessThanOrEqual(e2e[1]);
      expect(itl[1]).toBeLessThanOrEqual(itl[2] + 4 * goal(itl[2]));
    }
  });
}
