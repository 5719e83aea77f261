// `npm run bench:stats`: what 200 simultaneous GET /v1/stats (and GET /metrics) cost a real gateway holding 2,000
// sessions (the reported state plus chats, 153 orphan transcripts): its RSS before, at the peak of the burst
// (sampled from /proc every 10 ms) and after. Issue 10 measured 131 -> 1,323 MB before the figures were shared.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { seedReportedState } from '../src/seed/reportedState.ts';
import type { StoreKind } from '../src/store/sessionStore.ts';
import { machine } from './machine.ts';
import { startGateway, tempDataDir } from '../test/fixtures/gateway-process.ts';

const SESSIONS = 2000;
const REPORTED_SESSIONS = 188; // the seed's own sessions; extra chats bring the total to SESSIONS
const CONCURRENT = 200;
const ROUTES = ['/v1/stats', '/metrics'] as const;
const STORES: StoreKind[] = ['dedup', 'naive'];
const BUDGET_BYTES = 50e6;

interface Burst {
  store: StoreKind;
  route: string;
  sessions: number;
  rssBefore: number;
  rssPeak: number;
  rssAfter: number;
  seconds: number;
  non200: number;
}

function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

async function burst(store: StoreKind, route: string): Promise<Burst> {
  const data = tempDataDir('soakgate-bench-stats-');
  try {
    await seedReportedState({ dataDir: data.dir, extraHumanSessions: SESSIONS - REPORTED_SESSIONS });
    const gateway = await startGateway(['--store', store, '--data-dir', data.dir, '--cron-jobs', '0'], 120_000);
    try {
      const stats = await (await fetch(`${gateway.url}/v1/stats`)).json();
      for (let i = 0; i < 3; i++) await (await fetch(`${gateway.url}${route}`)).text();
      await sleep(1000);
      const rssBefore = rssOf(gateway.pid);
      let rssPeak = rssBefore;
      const poller = setInterval(() => (rssPeak = Math.max(rssPeak, rssOf(gateway.pid))), 10);
      const started = performance.now();
      const statuses = await Promise.all(
        Array.from({ length: CONCURRENT }, async () => {
          const response = await fetch(`${gateway.url}${route}`);
          await response.text();
          return response.status;
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      await sleep(1000);
      clearInterval(poller);
      rssPeak = Math.max(rssPeak, rssOf(gateway.pid));
      return { store, route, sessions: stats.sessions.total, rssBefore, rssPeak, rssAfter: rssOf(gateway.pid), seconds, non200: statuses.filter((s) => s !== 200).length };
    } finally {
      await gateway.stop();
    }
  } finally {
    data.remove();
  }
}


const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

async function main(): Promise<void> {
  const bursts: Burst[] = [];
  for (const store of STORES) {
    for (const route of ROUTES) {
      process.stderr.write(`[bench:stats] ${store}: ${CONCURRENT} concurrent ${route}\n`);
      bursts.push(await burst(store, route));
    }
  }
  console.log(`Machine: ${machine()}\n`);
  console.log(`| store | route | sessions | RSS before (MB) | peak (MB) | after (MB) | rise at peak (MB) | ${CONCURRENT} answers in | non-200 |`);
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const b of bursts) {
    console.log(`| ${b.store} | ${b.route} | ${b.sessions} | ${mb(b.rssBefore)} | ${mb(b.rssPeak)} | ${mb(b.rssAfter)} | ${mb(b.rssPeak - b.rssBefore)} | ${b.seconds.toFixed(2)} s | ${b.non200} |`);
  }
  const over = bursts.filter((b) => b.rssPeak - b.rssBefore >= BUDGET_BYTES);
  console.log(over.length === 0 ? `\nEvery burst stayed under the ${mb(BUDGET_BYTES)} MB budget.` : `\nOVER the ${mb(BUDGET_BYTES)} MB budget: ${over.map((b) => `${b.store} ${b.route}`).join(', ')}`);
  if (over.length > 0) process.exitCode = 1;
}

await main();
