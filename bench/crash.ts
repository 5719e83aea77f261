// `npm run bench:crash`: the crash campaign as a script. Per store, 25 rounds on one data dir: start the
// gateway, check that every write it ever acknowledged is there, run a 50-connection write storm, SIGKILL it at a
// seeded random moment (0.2-1 s in for dedup, 1.5-4 s for naive). Between rounds a fault is injected in turn:
// sessions.json truncated (start must refuse with exit 2 and leave it byte for byte; then the operator restores
// it), sessions.json removed (dedup must rebuild it from its entry files), a transcript's last line torn (the next
// message must be taken). Prints a Markdown table.
import { appendFileSync, copyFileSync, readFileSync, readdirSync, rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { seededRandom } from '../lib/seededRandom.ts';
import { storePaths } from '../src/store/paths.ts';
import type { StoreKind } from '../src/store/sessionStore.ts';
import { machine } from './machine.ts';
import { runGatewayToExit, startGateway, tempDataDir, type GatewayProcess } from '../test/fixtures/gateway-process.ts';
import { acknowledgedWrites, findLost, noneAcknowledged, writeStorm, type Acknowledged } from '../test/fixtures/writeStorm.ts';

const ROUNDS = 25;
const WORKERS = 50;
const MAX_REQUESTS_PER_ROUND = 5000;
const STORES: StoreKind[] = ['dedup', 'naive'];
// When the kill comes after the storm starts. The naive store acknowledges a write only after rewriting its whole
// file once per queued mutation, so it is given longer, or a round would end before it acknowledged anything.
const KILL_WINDOW_MS: Record<StoreKind, [number, number]> = { dedup: [200, 1000], naive: [1500, 4000] };

type Fault = 'index truncated' | 'index removed' | 'torn transcript' | 'none';

/** Which fault follows round `round`'s kill. Removing the index of the naive store would lose it all by design. */
function faultAfter(store: StoreKind, round: number): Fault {
  if (round === ROUNDS - 1) return 'none';
  if (round % 6 === 1) return 'index truncated';
  if (round % 6 === 3) return store === 'dedup' ? 'index removed' : 'torn transcript';
  if (round % 6 === 5) return 'torn transcript';
  return 'none';
}

interface Campaign {
  store: StoreKind;
  kills: number;
  requests: number;
  acked: Acknowledged;
  lostSessions: Set<string>;
  lostMessages: Map<string, number>;
  unparseableAfterKill: number;
  startupMs: number[];
  faults: Record<Exclude<Fault, 'none'>, { injected: number; handled: number }>;
  tempFilesAfterStart: number;
}

function parses(file: string): boolean {
  try {
    JSON.parse(readFileSync(file, 'utf8'));
    return true;
  } catch {
    return false;
  }
}

function tempFiles(dir: string): number {
  return readdirSync(dir).filter((name) => name.endsWith('.tmp')).length;
}

async function timedStart(args: string[], campaign: Campaign): Promise<GatewayProcess> {
  const started = performance.now();
  const gateway = await startGateway(args, 120_000);
  campaign.startupMs.push(performance.now() - started);
  return gateway;
}

async function recordLost(gateway: GatewayProcess, campaign: Campaign): Promise<void> {
  const lost = await findLost(gateway, campaign.acked);
  for (const key of lost.sessions) campaign.lostSessions.add(key);
  for (const [key, count] of lost.messages) campaign.lostMessages.set(key, Math.max(count, campaign.lostMessages.get(key) ?? 0));
}

/** A chat with acknowledged messages and its transcript path, to tear after the kill. */
async function tearTarget(gateway: GatewayProcess, acked: Acknowledged, dataDir: string): Promise<{ key: string; transcript: string } | undefined> {
  const key = [...acked.messages.keys()].at(-1);
  if (!key) return undefined;
  const entry = await (await fetch(`${gateway.url}/v1/sessions/${encodeURIComponent(key)}`)).json();
  return typeof entry.transcriptFile === 'string' ? { key, transcript: join(storePaths(dataDir).sessionsDir, entry.transcriptFile) } : undefined;
}

async function campaign(store: StoreKind): Promise<Campaign> {
  const data = tempDataDir('soakgate-bench-crash-');
  const paths = storePaths(data.dir);
  const args = ['--store', store, '--data-dir', data.dir, '--cron-jobs', '0', '--time-scale', '10', '--prune-after', '1h'];
  const random = seededRandom(55334);
  const result: Campaign = {
    store,
    kills: 0,
    requests: 0,
    acked: noneAcknowledged(),
    lostSessions: new Set(),
    lostMessages: new Map(),
    unparseableAfterKill: 0,
    startupMs: [],
    faults: { 'index truncated': { injected: 0, handled: 0 }, 'index removed': { injected: 0, handled: 0 }, 'torn transcript': { injected: 0, handled: 0 } },
    tempFilesAfterStart: 0,
  };
  let torn: { key: string; transcript: string } | undefined;
  let gateway: GatewayProcess | undefined;
  try {
    for (let round = 0; round <= ROUNDS; round++) {
      gateway = await timedStart(args, result);
      result.tempFilesAfterStart += tempFiles(paths.sessionsDir);
      await recordLost(gateway, result);
      if (torn) {
        const reply = await fetch(`${gateway.url}/v1/sessions/${encodeURIComponent(torn.key)}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ role: 'user', text: 'after a torn tail' }),
        });
        if (reply.status === 201) {
          result.faults['torn transcript'].handled++;
          result.acked.messages.set(torn.key, (result.acked.messages.get(torn.key) ?? 0) + 1);
        }
        torn = undefined;
      }
      if (round === ROUNDS) break;
      process.stderr.write(`[bench:crash] ${store} round ${round + 1}/${ROUNDS}: ${result.acked.creates.size} sessions acknowledged so far\n`);
      const fault = faultAfter(store, round);
      const target = fault === 'torn transcript' ? await tearTarget(gateway, result.acked, data.dir) : undefined;
      const storm = writeStorm(gateway, round, result.acked, { workers: WORKERS, maxRequests: MAX_REQUESTS_PER_ROUND });
      const [earliest, latest] = KILL_WINDOW_MS[store];
      await sleep(earliest + Math.floor(random() * (latest - earliest)));
      await gateway.kill();
      result.kills++;
      result.requests += await storm;
      if (!parses(paths.sessionsFile)) result.unparseableAfterKill++;

      if (fault === 'index truncated') {
        result.faults[fault].injected++;
        const backup = `${data.dir}/sessions.json.backup`;
        copyFileSync(paths.sessionsFile, backup);
        const whole = readFileSync(backup);
        truncateSync(paths.sessionsFile, Math.floor(whole.length / 2));
        const refused = await runGatewayToExit(args, 120_000);
        const untouched = readFileSync(paths.sessionsFile).equals(whole.subarray(0, Math.floor(whole.length / 2)));
        if (refused.code === 2 && untouched) result.faults[fault].handled++;
        copyFileSync(backup, paths.sessionsFile);
        rmSync(backup);
      } else if (fault === 'index removed') {
        result.faults[fault].injected++;
        rmSync(paths.sessionsFile);
        const rebuilt = await timedStart(args, result);
        const lost = await findLost(rebuilt, result.acked);
        if (lost.sessions.length === 0 && lost.messages.size === 0 && /rebuilding the index/.test(rebuilt.stderr())) result.faults[fault].handled++;
        await rebuilt.stop();
      } else if (fault === 'torn transcript' && target) {
        result.faults[fault].injected++;
        appendFileSync(target.transcript, '{"type":"message","id":"torn-by-a-cr');
        torn = target;
      }
    }
    await gateway?.stop();
  } finally {
    await gateway?.kill();
    data.remove();
  }
  return result;
}


const int = (n: number) => Math.round(n).toLocaleString('en-US');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function row(c: Campaign): string {
  let lostMessages = 0;
  for (const count of c.lostMessages.values()) lostMessages += count;
  let ackedMessages = 0;
  for (const count of c.acked.messages.values()) ackedMessages += count;
  const faults = Object.entries(c.faults)
    .filter(([, f]) => f.injected > 0)
    .map(([name, f]) => `${name}: ${f.handled}/${f.injected}`)
    .join('; ');
  return `| ${c.store} | ${c.kills} | ${int(c.requests)} | ${int(acknowledgedWrites(c.acked))} (${int(c.acked.creates.size)} sessions, ${int(ackedMessages)} messages) | ${c.lostSessions.size + lostMessages} | ${c.unparseableAfterKill} | ${faults} | ${int(median(c.startupMs))} / ${int(Math.max(...c.startupMs))} ms | ${c.tempFilesAfterStart} |`;
}

async function main(): Promise<void> {
  const results: Campaign[] = [];
  for (const store of STORES) results.push(await campaign(store));
  console.log(`Machine: ${machine()}\n`);
  console.log('| store | SIGKILL rounds | requests | acknowledged writes | lost | corrupt (sessions.json unparseable after a kill) | injected faults handled | start-up, median / max | temp files left after a start |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const result of results) console.log(row(result));
  if (results.some((r) => r.lostSessions.size > 0 || r.lostMessages.size > 0 || r.unparseableAfterKill > 0)) process.exitCode = 1;
}

await main();
