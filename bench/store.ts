// `npm run bench:store`: naive vs dedup on real gateway processes, printed as a Markdown table for BENCHMARKS.md —
// sessions.json bytes per session, sub-agent spawn throughput with 1,000 and 5,000 human sessions stored, start-up
// with the reported state (188 sessions, 153 orphan transcripts of 36.4 MB), and RSS after 5,000 spawns.
import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { seedReportedState } from '../src/seed/reportedState.ts';
import { storePaths } from '../src/store/paths.ts';
import type { StoreKind } from '../src/store/sessionStore.ts';
import { startGateway, tempDataDir, type GatewayProcess } from '../test/fixtures/gateway-process.ts';

const STORES: StoreKind[] = ['naive', 'dedup'];
const HUMAN_SESSION_COUNTS = [1000, 5000];
const REPORTED_HUMAN_SESSIONS = 57; // the seed's own chats; extra ones bring the total to the benchmark's count
const SPAWN_SECONDS = 15;
const SPAWN_CONNECTIONS = 8;
const RSS_SPAWNS = 5000;
const RSS_TIME_BOUND_MS = 90_000;
// A naive write of 5,000 sessions rewrites ~200 MB; requests must be allowed to wait for it rather than time out.
const REQUEST_TIMEOUT_S = 120;

interface StoreResults {
  startupMs: { empty: number; first: number; second: number };
  storeOpenMs: { first: number; second: number };
  bytesPerSession: Record<number, { sessionsFile: number; wholeStore: number }>;
  spawnsPerSec: Record<number, number>;
  spawnErrors: Record<number, number>;
  rss: { spawns: number; seconds: number; rssBytes: number };
}

const GATEWAY_ARGS = ['--cron-jobs', '0'];

async function stopOrKill(gateway: GatewayProcess): Promise<void> {
  const timer = setTimeout(() => void gateway.kill(), 60_000);
  await gateway.stop();
  clearTimeout(timer);
}

/** Wall time from spawning the process to its ready line, and the store's own open time from its log line. */
async function timedStart(store: StoreKind, dataDir: string): Promise<{ gateway: GatewayProcess; startupMs: number; openMs: number }> {
  const started = performance.now();
  const gateway = await startGateway(['--store', store, '--data-dir', dataDir, ...GATEWAY_ARGS], 120_000);
  const startupMs = performance.now() - started;
  const openMs = Number(/store opened: \d+ sessions in (\d+) ms/.exec(gateway.stderr())?.[1] ?? NaN);
  return { gateway, startupMs, openMs };
}

async function stats(gateway: GatewayProcess) {
  return (await fetch(`${gateway.url}/v1/stats`)).json();
}

function bytesUnder(path: string): number {
  try {
    return readdirSync(path, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .reduce((sum, entry) => sum + statSync(join(entry.parentPath, entry.name)).size, 0);
  } catch {
    return 0;
  }
}

/** Everything the store itself keeps (not transcripts): sessions.json plus the dedup store's entry bodies and blobs. */
function wholeStoreBytes(dataDir: string): number {
  const paths = storePaths(dataDir);
  return statSync(paths.sessionsFile).size + bytesUnder(paths.entriesDir) + bytesUnder(paths.snapshotsDir);
}

function spawnLoad(url: string, options: { seconds?: number; amount?: number; boundMs: number }): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${url}/v1/subagents`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ parentKey: 'agent:main:main', task: 'summarise the inbox' }),
        connections: SPAWN_CONNECTIONS,
        timeout: REQUEST_TIMEOUT_S,
        ...(options.amount === undefined ? { duration: options.seconds } : { amount: options.amount }),
      },
      (error, result) => {
        clearTimeout(bound);
        if (error) reject(error);
        else resolve(result);
      },
    );
    const bound = setTimeout(() => instance.stop(), options.boundMs);
  });
}

async function benchStartup(store: StoreKind, results: StoreResults): Promise<void> {
  const empty = tempDataDir('soakgate-bench-');
  const seeded = tempDataDir('soakgate-bench-');
  try {
    const fresh = await timedStart(store, empty.dir);
    results.startupMs.empty = fresh.startupMs;
    await stopOrKill(fresh.gateway);
    await seedReportedState({ dataDir: seeded.dir });
    // The first start meets the orphans; the second shows whether they are dealt with for good.
    for (const which of ['first', 'second'] as const) {
      const run = await timedStart(store, seeded.dir);
      results.startupMs[which] = run.startupMs;
      results.storeOpenMs[which] = run.openMs;
      await stopOrKill(run.gateway);
    }
  } finally {
    empty.remove();
    seeded.remove();
  }
}

async function benchSpawns(store: StoreKind, humans: number, results: StoreResults): Promise<void> {
  const data = tempDataDir('soakgate-bench-');
  try {
    await seedReportedState({ dataDir: data.dir, extraHumanSessions: humans - REPORTED_HUMAN_SESSIONS, orphanTranscripts: 0 });
    const { gateway } = await timedStart(store, data.dir);
    try {
      const before = await stats(gateway);
      results.bytesPerSession[humans] = {
        sessionsFile: before.sessionsFileBytes / before.sessions.total,
        wholeStore: wholeStoreBytes(data.dir) / before.sessions.total,
      };
      const load = await spawnLoad(gateway.url, { seconds: SPAWN_SECONDS, boundMs: (SPAWN_SECONDS + 5) * 1000 });
      results.spawnsPerSec[humans] = load['2xx'] / load.duration;
      results.spawnErrors[humans] = load.non2xx + load.errors + load.timeouts;
    } finally {
      await stopOrKill(gateway);
    }
  } finally {
    data.remove();
  }
}

async function benchRss(store: StoreKind, results: StoreResults): Promise<void> {
  const data = tempDataDir('soakgate-bench-');
  try {
    const { gateway } = await timedStart(store, data.dir);
    try {
      const load = await spawnLoad(gateway.url, { amount: RSS_SPAWNS, boundMs: RSS_TIME_BOUND_MS });
      const after = await stats(gateway);
      results.rss = { spawns: load['2xx'], seconds: load.duration, rssBytes: after.memory.rss };
    } finally {
      await stopOrKill(gateway);
    }
  } finally {
    data.remove();
  }
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}x`;

function table(r: Record<StoreKind, StoreResults>): string {
  const { naive, dedup } = r;
  const rows: [string, string, string, string][] = [];
  for (const humans of HUMAN_SESSION_COUNTS) {
    const n = naive.bytesPerSession[humans];
    const d = dedup.bytesPerSession[humans];
    rows.push([`sessions.json bytes per session (${int(humans)} human sessions)`, int(n.sessionsFile), int(d.sessionsFile), `${ratio(n.sessionsFile, d.sessionsFile)} fewer`]);
    rows.push([`whole store bytes per session, incl. entry bodies and snapshot blobs (${int(humans)})`, int(n.wholeStore), int(d.wholeStore), `${ratio(n.wholeStore, d.wholeStore)} fewer`]);
  }
  for (const humans of HUMAN_SESSION_COUNTS) {
    const label = `sub-agent spawns/s with ${int(humans)} human sessions stored (${SPAWN_CONNECTIONS} connections, ${SPAWN_SECONDS} s)`;
    const errors = (s: StoreResults) => (s.spawnErrors[humans] ? ` (${s.spawnErrors[humans]} failed/timed out)` : '');
    rows.push([label, `${naive.spawnsPerSec[humans].toFixed(1)}${errors(naive)}`, `${dedup.spawnsPerSec[humans].toFixed(1)}${errors(dedup)}`, `${ratio(dedup.spawnsPerSec[humans], naive.spawnsPerSec[humans])} faster`]);
  }
  rows.push(['start-up, empty data dir (process spawn to ready line)', `${int(naive.startupMs.empty)} ms`, `${int(dedup.startupMs.empty)} ms`, '']);
  for (const which of ['first', 'second'] as const) {
    rows.push([`start-up with the reported state, ${which} start (spawn to ready)`, `${int(naive.startupMs[which])} ms`, `${int(dedup.startupMs[which])} ms`, '']);
    rows.push([`  of which store open (load + orphan handling), ${which} start`, `${int(naive.storeOpenMs[which])} ms`, `${int(dedup.storeOpenMs[which])} ms`, '']);
  }
  const rss = (s: StoreResults) =>
    `${mb(s.rss.rssBytes)}${s.rss.spawns < RSS_SPAWNS ? ` (only ${int(s.rss.spawns)} spawns within the ${RSS_TIME_BOUND_MS / 1000} s bound)` : ` (${s.rss.seconds.toFixed(0)} s)`}`;
  rows.push([`RSS after ${int(RSS_SPAWNS)} spawns into an empty store`, rss(naive), rss(dedup), '']);
  const lines = ['| measure | naive | dedup | dedup vs naive |', '|---|---|---|---|', ...rows.map((row) => `| ${row.join(' | ')} |`)];
  return lines.join('\n');
}

function machine(): string {
  const model = execFileSync('lscpu', { encoding: 'utf8' }).match(/Model name:\s*(.+)/)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  return `${new Date().toISOString().slice(0, 10)}; nproc ${nproc}; ${model.trim()}; RAM ${(totalmem() / 2 ** 30).toFixed(1)} GiB; Node ${process.version}`;
}

async function main(): Promise<void> {
  const results = {} as Record<StoreKind, StoreResults>;
  for (const store of STORES) {
    const r: StoreResults = {
      startupMs: { empty: 0, first: 0, second: 0 },
      storeOpenMs: { first: 0, second: 0 },
      bytesPerSession: {},
      spawnsPerSec: {},
      spawnErrors: {},
      rss: { spawns: 0, seconds: 0, rssBytes: 0 },
    };
    results[store] = r;
    process.stderr.write(`[bench:store] ${store}: start-up\n`);
    await benchStartup(store, r);
    for (const humans of HUMAN_SESSION_COUNTS) {
      process.stderr.write(`[bench:store] ${store}: spawns with ${humans} human sessions\n`);
      await benchSpawns(store, humans, r);
    }
    process.stderr.write(`[bench:store] ${store}: RSS after ${RSS_SPAWNS} spawns\n`);
    await benchRss(store, r);
  }
  console.log(`Machine: ${machine()}\n`);
  console.log(table(results));
}

await main();
