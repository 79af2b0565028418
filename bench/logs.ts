/**
 * Log streaming to a browser: a pod emits 2,000 lines/s, Bosun's log route follows it from the
 * cluster and headless Chromium's LogViewer (the pod page's Logs tab, signed in as a tester) shows
 * it. Counts the lines the browser received against the lines sent, and checks the downloaded log
 * holds every line exactly once, in order.
 *
 *   npm run bench:logs [-- --rate 2000 --seconds 20]
 *
 * Setup: kube-sim and Bosun (PGlite) in this process (tests/api/support/tenants.ts), the UI built
 * when stale (tests/e2e/support/browser.ts). The pod's lines are appended to its log with
 * `sim.logs.append` on a 10 ms timer that catches up to `rate × elapsed`, so the sent rate holds even
 * when a tick is late. Figures on stdout and in bench/logs-results.json.
 */
import { writeFileSync, readFileSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CLUSTER, NS_A, startTenants, USER_PASSWORD } from '../tests/api/support/tenants';
import { createRunningPod, smallPod, waitFor } from '../tests/api/support/pods';
import { buildUiIfStale, launchChromium, newPage } from '../tests/e2e/support/browser';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: { rate: { type: 'string', default: '2000' }, seconds: { type: 'string', default: '20' } },
  allowPositionals: true,
  args: process.argv.slice(2).filter((a) => a !== '--'),
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const POD = 'firehose';
const PAD = 'x'.repeat(60);

const line = (n: number) => `${new Date().toISOString()} info firehose: request seq=${n} served ${PAD}`;

async function main() {
  console.log(`log streaming bench: ${RATE} lines/s for ${SECONDS} s through Bosun's log route into Chromium's LogViewer`);
  buildUiIfStale();
  const t = await startTenants();
  const browser = await launchChromium();
  try {
    await createRunningPod(t.sim, NS_A, smallPod(POD, { annotations: { 'kube-sim.bosun.io/log-lines-per-second': '0' } }));
    const pod = await t.sim.store.get('', 'pods', NS_A, POD);
    const containerID = pod.status.containerStatuses[0].containerID as string;

    const { page, context } = await newPage(browser);
    await page.goto(`${t.bosun.url}/`);
    await page.getByTestId('login-username').fill('r-tester');
    await page.getByTestId('login-password').fill(USER_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('user-menu').waitFor();
    await page.goto(`${t.bosun.url}/#/pods/${CLUSTER}/${NS_A}/${POD}?tab=logs`);
    await page.getByTestId('log-viewer').waitFor();
    await waitFor('the browser following the log', () => (t.sim.logs.instance(containerID)?.followers.size ?? 0) >= 1, 20_000);

    const count = async () => Number(await page.getByTestId('log-count').getAttribute('data-count'));
    let sent = 0;
    const total = RATE * SECONDS;
    const started = performance.now();
    const samples: { ms: number; sent: number; received: number }[] = [];
    let emitDoneMs = 0;
    const emitter = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE));
      while (sent < due) t.sim.logs.append(NS_A, POD, 'app', line(++sent));
      if (sent >= total) {
        emitDoneMs = performance.now() - started;
        clearInterval(emitter);
      }
    }, 10);
    while (sent < total) {
      await new Promise((r) => setTimeout(r, 1000));
      samples.push({ ms: performance.now() - started, sent, received: await count() });
      const s = samples[samples.length - 1];
      console.log(`  t=${(s.ms / 1000).toFixed(1)} s  sent ${s.sent}  shown ${s.received}  behind ${s.sent - s.received}`);
    }
    const emitMs = emitDoneMs || performance.now() - started;
    let received = await count();
    const drainDeadline = performance.now() + 30_000;
    while (received < total && performance.now() < drainDeadline) {
      await new Promise((r) => setTimeout(r, 100));
      received = await count();
    }
    const allShownMs = performance.now() - started;

    // Every line exactly once and in order: the viewer's own download of what it holds.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('log-download').click()]);
    const text = readFileSync((await download.path())!, 'utf8');
    const seqs = text.split('\n').filter(Boolean).map((l) => Number(/seq=(\d+) /.exec(l)?.[1]));
    let missing = 0;
    let outOfOrder = 0;
    const seen = new Set<number>();
    for (let i = 0; i < seqs.length; i++) {
      if (i > 0 && seqs[i] !== seqs[i - 1] + 1) outOfOrder++;
      seen.add(seqs[i]);
    }
    for (let n = 1; n <= total; n++) if (!seen.has(n)) missing++;
    const duplicates = seqs.length - seen.size;
    await context.close();

    const steady = samples.filter((s) => s.ms >= 2000);
    const first = steady[0] ?? samples[0];
    // Lines shown per second while lines were being sent (from the first steady sample on), and end to end.
    const during = samples.filter((s) => s.ms >= 2000 && s.ms <= emitMs + 1);
    const lastDuring = during[during.length - 1] ?? first;
    const sustained = first && lastDuring && lastDuring.ms > first.ms ? ((lastDuring.received - first.received) / (lastDuring.ms - first.ms)) * 1000 : 0;
    const sentDuring = first && lastDuring && lastDuring.ms > first.ms ? ((lastDuring.sent - first.sent) / (lastDuring.ms - first.ms)) * 1000 : 0;
    const result = {
      at: new Date().toISOString(),
      rateTarget: RATE,
      seconds: SECONDS,
      linesSent: total,
      linesShown: received,
      linesInDownload: seqs.length,
      dropped: total - Math.min(total, seen.size),
      missing,
      duplicates,
      outOfOrder,
      sentRate: Math.round((total / emitMs) * 1000),
      sustainedShownRate: Math.round(sustained),
      sentRateSameWindow: Math.round(sentDuring),
      endToEndRate: Math.round((received / allShownMs) * 1000),
      maxBehind: Math.max(...samples.map((s) => s.sent - s.received)),
      drainAfterLastLineMs: Math.round(allShownMs - emitMs),
      machine: { cpus: cpus().length, loadavg: loadavg().map((l) => Math.round(l * 10) / 10) },
      samples,
    };
    console.log(
      `\nsent ${result.linesSent} lines at ${result.sentRate}/s; the LogViewer showed ${result.linesShown} (sustained ${result.sustainedShownRate} lines/s, ` +
        `at most ${result.maxBehind} behind, all shown ${result.drainAfterLastLineMs} ms after the last was sent); ` +
        `download: ${result.linesInDownload} lines, missing ${missing}, duplicates ${duplicates}, out of order ${outOfOrder}`,
    );
    writeFileSync(join(here, 'logs-results.json'), JSON.stringify(result, null, 2) + '\n');
    // Kept up: every line shown, none twice, in order; the shown rate followed the sent rate; the last line on screen within 2 s.
    const ok = missing === 0 && duplicates === 0 && outOfOrder === 0 && received === total && result.sentRate >= RATE * 0.98 && sustained >= sentDuring * 0.98 && result.drainAfterLastLineMs <= 2000;
    console.log(ok ? `target met: ${result.sentRate} lines/s sent, all shown, none dropped` : 'TARGET MISSED');
    process.exitCode = ok ? 0 : 1;
  } finally {
    await browser.close();
    await t.stop();
  }
}

await main();
