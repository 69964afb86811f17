// Capacity (issue #5: one tab holds >= 500 concurrent HTTP/2 streams and >= 50,000 SSE
// events/s; report the client-added latency p99). Chromium caps one HTTP/2 connection at
// ~256 streams, so the run spreads over 4 origins (the test server's --extra-listeners,
// space-separated base URLs, round robin).
//
// A 1.5 s TTFT keeps every stream of a round open while the tab is still launching the
// rest (launching 500 takes over a second on a loaded 2-core box).
// Asserted here: the server saw >= 500 streams open at once from one tab, every request
// completed, the tab kept up within loose bounds, and it says when tokens arrived together;
// the events/s goal itself needs more than a shared 2-core box and is printed, not asserted
// (`make bench` says MEETS/MISSES).
import { test, expect } from "@playwright/test";
import { clientAdded, runInPage, serverRecords, startServer } from "../loadtest-harness.mjs";

test.use({ ignoreHTTPSErrors: true });

/** Most requests open at once on the server (sweep over [received, finished]). */
export function peakOpen(recs) {
  const ev = recs.flatMap((r) => [[r.received_ms, 1], [r.finished_ms ?? Infinity, -1]]);
  ev.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let peak = 0;
  for (const [, d] of ev) peak = Math.max(peak, (open += d));
  return peak;
}

test("one tab holds 500 concurrent HTTP/2 streams over 4 origins", async ({ page }) => {
  test.setTimeout(240_000);
  const server = await startServer(["--tls", "--ttft-ms", "1500", "--itl-ms", "20", "--extra-listeners", "3"], 4);
  try {
    const users = 500;
    const { cells, doc } = await runInPage(page, {
      urls: server.urls,
      users,
      requests: 1000,
      maxTokens: 50,
      warmup: 0,
      timeoutMs: 200_000,
    });
    const srv = (await serverRecords(server.url)).filter((r) => r.api === "chat" && r.stream);
    const peak = peakOpen(srv);
    const ca = clientAdded(doc, srv);
    const versions = [...new Set(srv.map((r) => r.http_version))];
    console.log(
      `capacity: ${users} users over ${server.urls.length} origins: server saw ${peak} streams open at once (${versions}); ` +
        `ok ${cells["requests-ok"]}, failed ${cells["requests-failed"]}; ${ca.events} SSE events at ${Math.round(ca.eventsPerS)} events/s (whole run), ` +
        (ca.sustained.tab.ms > 0
          ? `${Math.round(ca.sustained.tab.perS)}/s while all streams were open (server sent ${Math.round(ca.sustained.server.perS)}/s); `
          : "no moment with every request open (more requests than users); ") +
        `client-added latency p50 ${ca.p50?.toFixed(2)} p99 ${ca.p99?.toFixed(2)} ms (${ca.joined} chunks); clocks ${JSON.stringify(ca.clocks)}`,
    );
    expect(versions).toEqual(["HTTP/2.0"]);
    expect(cells["requests-failed"]).toBe(0);
    expect(cells["requests-ok"]).toBe(1000);
    expect(peak).toBeGreaterThanOrEqual(500);
    expect(ca.joined).toBeGreaterThan(0);
    // Tokens read together (ITL gaps under 0.05 ms): the export's share matches the records,
    // and the page warns exactly when it reaches a fifth (a busy tab; on 2 cores it does).
    let gaps = 0;
    let together = 0;
    for (const r of doc.records.filter((r) => !r.warmup && !r.error)) {
      for (let i = 1; i < r.tokens.length; i++) {
        gaps++;
        together += r.tokens[i].t - r.tokens[i - 1].t < 0.05 ? 1 : 0;
      }
    }
    const share = doc.summary.itl_together_share;
    console.log(`capacity: ${(100 * share).toFixed(1)} % of ${gaps} token gaps under 0.05 ms`);
    expect(share).toBeCloseTo(together / gaps, 9);
    const warned = page.getByTestId("diagnoses").getByText(/tokens arrived together/);
    await expect(warned).toHaveCount(share >= 0.2 ? 1 : 0);
    // The summary's footnote flags the ITL row by the same rule.
    await expect(page.getByText(/of ITL gaps under 0\.05 ms: tokens arrived together/)).toHaveCount(share >= 0.2 ? 1 : 0);
  } finally {
    server.proc.kill();
  }
});
