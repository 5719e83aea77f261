// The gateway storms against the real embedded gateway: every operation the op counter reports is one the gateway
// recorded, the sub-agent storm's parent and the chat storm's sessions exist, and a load paused across a gateway
// restart resumes against the new address.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startLoad } from '../../harness/storms/load.ts';
import { OpCounter } from '../../harness/sampling/opCounter.ts';
import { startGateway, type GatewayProcess } from '../fixtures/gateway-process.ts';

interface Stats {
  sessions: { total: number; byKind: Record<string, number> };
}

interface Listed {
  key: string;
  messageCount: number;
  parentKey?: string;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  assert.equal(response.status, 200, url);
  return (await response.json()) as T;
}

async function listSessions(base: string, kind: string): Promise<Listed[]> {
  return (await getJson<{ sessions: Listed[] }>(`${base}/v1/sessions?kind=${kind}`)).sessions;
}

// A hang (a gateway that never answers, a stop that never ends) must fail this file, not stall the whole suite.
describe('gateway storms', { timeout: 120_000 }, () => {
  let dataDir: string;
  let gateway: GatewayProcess | null = null;

  // Retention far beyond the test, so nothing the storms made is pruned before it is counted.
  const gatewayArgs = () => ['--store', 'dedup', '--data-dir', dataDir, '--port', '0', '--cron-jobs', '4', '--prune-after', '1h'];

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'soakgate-storms-'));
    gateway = await startGateway(gatewayArgs());
  });
  after(async () => {
    await gateway?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('every operation counted is one the gateway recorded', async () => {
    const opCounter = new OpCounter();
    const base = (gateway as GatewayProcess).url;
    const load = await startLoad(
      [
        { kind: 'subagents', rate: 2, fanout: 1, depth: 1 },
        { kind: 'cron', jobs: 4, interval: 20, thunderingHerd: true },
        { kind: 'chat', rate: 1, messagesPerSession: 3, channel: 'telegram' },
      ],
      { baseUrl: base, seed: 5, timeScale: 5, opCounter },
    );
    await sleep(2000);
    // stop() abandons requests in flight; pausing first lets them land so the counts can be compared exactly.
    load.pause();
    await sleep(300);
    await load.stop();
    const ops = opCounter.totals();
    assert.ok(ops.subagents >= 10 && ops.chats >= 5 && ops.cronRuns >= 4, JSON.stringify(ops));
    assert.equal(ops.errors, undefined, 'no request failed');

    const subagents = await listSessions(base, 'subagent');
    assert.equal(subagents.length, ops.subagents, 'one sub-agent per spawn (fan-out 1, depth 1)');
    const one = await getJson<Listed>(`${base}/v1/sessions/${encodeURIComponent(subagents[0].key)}`);
    assert.equal(one.parentKey, 'agent:main:cli:direct:storm-parent-5', 'spawned under the storm parent');

    // Listings carry only the index (the lazy fix); each session's own record has its message count.
    const listed = (await listSessions(base, 'chat')).filter((s) => s.key.startsWith('agent:main:telegram:'));
    const chats = await Promise.all(listed.map((s) => getJson<Listed>(`${base}/v1/sessions/${encodeURIComponent(s.key)}`)));
    assert.equal(chats.reduce((sum, s) => sum + s.messageCount, 0), ops.chats, 'every message counted was recorded');
    assert.ok(chats.every((s) => s.messageCount <= 3), 'a new session after 3 messages');
    assert.ok(chats.length >= Math.ceil(ops.chats / 3), `${chats.length} sessions for ${ops.chats} messages`);

    // The gateway's own scheduler may have run a job too, never fewer than the storm's.
    const stats = await getJson<Stats>(`${base}/v1/stats`);
    assert.ok(stats.sessions.byKind.cronRun >= ops.cronRuns, `${stats.sessions.byKind.cronRun} cron runs for ${ops.cronRuns} counted`);
    // Besides the counted operations, the only requests opened sessions: the parent and each chat session.
    assert.equal(ops.requests, ops.subagents + ops.cronRuns + ops.chats + 1 + chats.length);
  });

  it('a load paused across a restart resumes against the new address', async () => {
    const subagentsBefore = (await getJson<Stats>(`${(gateway as GatewayProcess).url}/v1/stats`)).sessions.byKind.subagent;
    const opCounter = new OpCounter();
    const load = await startLoad([{ kind: 'subagents', rate: 10, fanout: 1, depth: 1 }], {
      baseUrl: (gateway as GatewayProcess).url,
      seed: 6,
      timeScale: 1,
      opCounter,
    });
    await sleep(500);
    load.pause();
    assert.equal(load.paused, true);
    await sleep(300); // in-flight spawns land before the gateway stops
    const beforeRestart = opCounter.totals().subagents;
    assert.equal(await (gateway as GatewayProcess).stop(), 0);
    gateway = await startGateway(gatewayArgs());
    load.resume(gateway.url);
    await sleep(500);
    load.pause();
    await sleep(300);
    await load.stop();
    const ops = opCounter.totals();
    assert.ok(ops.subagents > beforeRestart, `${ops.subagents} spawns after ${beforeRestart} before the restart`);
    assert.equal(ops.errors, undefined, 'nothing was sent to the stopped gateway');
    const stats = await getJson<Stats>(`${gateway.url}/v1/stats`);
    assert.equal(stats.sessions.byKind.subagent, subagentsBefore + ops.subagents, 'the spawns from before the restart were kept, the rest arrived');
  });

  it('refuses to start when its setup request fails, and stops what it started', async () => {
    const opCounter = new OpCounter();
    await assert.rejects(
      startLoad(
        [
          { kind: 'cron', jobs: 1, interval: 60, thunderingHerd: false },
          { kind: 'subagents', rate: 1, fanout: 1, depth: 1 },
        ],
        { baseUrl: 'http://127.0.0.1:1', seed: 1, timeScale: 1, opCounter },
      ),
      /load\[1\] \(subagents\) could not start: the sub-agent storm could not open its parent session at http:\/\/127\.0\.0\.1:1: ECONNREFUSED/,
    );
    await sleep(50);
    assert.ok(!process.getActiveResourcesInfo().includes('Timeout'), 'no storm timer left running');
  });
});
