// Crash safety: SIGKILL the gateway in the middle of a write storm, round after round on the same data dir. After
// every kill sessions.json must parse, and every create and message acknowledged with a 2xx must be there.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { seededRandom } from '../harness/analysis/seededRandom.ts';
import { startGateway, tempDataDir, type GatewayProcess } from './fixtures/gateway-process.ts';

const ROUNDS = 8;
const WORKERS = 12;
const MAX_REQUESTS_PER_ROUND = 3000;

/** Kill delays that differ per round but are the same on every run of the test. */
function killDelaysMs(count: number): number[] {
  const random = seededRandom(55334);
  return Array.from({ length: count }, () => 150 + Math.floor(random() * 600));
}

interface Acknowledged {
  creates: Set<string>;
  /** Messages acknowledged per chat key. */
  messages: Map<string, number>;
}

async function post(base: string, path: string, body: unknown): Promise<{ status: number; body: any } | undefined> {
  try {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  } catch {
    return undefined; // the gateway was killed mid-request: nothing was acknowledged
  }
}

/** Creates chats, spawns sub-agents and appends messages until the gateway dies or the request budget is spent. */
async function writeStorm(gateway: GatewayProcess, round: number, acked: Acknowledged): Promise<number> {
  let sent = 0;
  let alive = true;
  const chats: string[] = [];
  const worker = async (w: number) => {
    for (let i = 0; alive && sent < MAX_REQUESTS_PER_ROUND; i++) {
      sent += 1;
      const op = i % 3;
      if (op === 0 || chats.length === 0) {
        const reply = await post(gateway.url, '/v1/sessions', { channel: 'crash', peer: `r${round}-w${w}-${i}` });
        if (!reply) alive = false;
        else if (reply.status === 201) {
          acked.creates.add(reply.body.key);
          chats.push(reply.body.key);
        }
      } else if (op === 1) {
        const reply = await post(gateway.url, '/v1/subagents', { parentKey: 'agent:main:main', task: `storm ${round}.${w}.${i}` });
        if (!reply) alive = false;
        else if (reply.status === 202) acked.creates.add(reply.body.key);
      } else {
        const key = chats[(w * 7 + i) % chats.length];
        const reply = await post(gateway.url, `/v1/sessions/${encodeURIComponent(key)}/messages`, { role: 'user', text: `message ${i}` });
        if (!reply) alive = false;
        else if (reply.status === 201) acked.messages.set(key, (acked.messages.get(key) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
  return sent;
}

async function assertAllAcknowledgedPresent(gateway: GatewayProcess, acked: Acknowledged, when: string): Promise<void> {
  const listing = await (await fetch(`${gateway.url}/v1/sessions?limit=999999`)).json();
  const stored = new Set<string>(listing.sessions.map((s: { key: string }) => s.key));
  const missing = [...acked.creates].filter((key) => !stored.has(key));
  assert.deepEqual(missing, [], `${when}: ${missing.length} acknowledged sessions missing`);
  for (const [key, count] of acked.messages) {
    const entry = await (await fetch(`${gateway.url}/v1/sessions/${encodeURIComponent(key)}`)).json();
    assert.ok(entry.messageCount >= count, `${when}: ${key} has ${entry.messageCount} messages, ${count} were acknowledged`);
  }
}

for (const store of ['naive', 'dedup'] as const) {
  describe(`crash safety of the ${store} store`, () => {
    const data = tempDataDir();
    let gateway: GatewayProcess | undefined;
    after(async () => {
      await gateway?.kill();
      data.remove();
    });

    test(`${ROUNDS} SIGKILLs mid-storm lose no acknowledged write and never leave a sessions.json that does not parse`, async () => {
      // A long retention, so that the dedup store does not prune acknowledged sub-agents between rounds.
      const args = ['--store', store, '--data-dir', data.dir, '--cron-jobs', '0', '--time-scale', '10', '--prune-after', '1h'];
      const sessionsFile = join(data.dir, 'agents/main/sessions/sessions.json');
      const acked: Acknowledged = { creates: new Set(), messages: new Map() };
      const delays = killDelaysMs(ROUNDS);
      for (let round = 0; round < ROUNDS; round++) {
        gateway = await startGateway(args);
        await assertAllAcknowledgedPresent(gateway, acked, `after kill ${round}`);
        const ackedBefore = acked.creates.size;
        const storm = writeStorm(gateway, round, acked);
        await sleep(delays[round]);
        await gateway.kill();
        const sent = await storm;
        assert.ok(sent < MAX_REQUESTS_PER_ROUND, `round ${round}: the storm ended before the kill, so the kill hit no write`);
        assert.ok(acked.creates.size > ackedBefore, `round ${round}: no create was acknowledged before the kill`);
        assert.doesNotThrow(() => JSON.parse(readFileSync(sessionsFile, 'utf8')), `round ${round}: sessions.json does not parse`);
      }
      gateway = await startGateway(args);
      await assertAllAcknowledgedPresent(gateway, acked, `after kill ${ROUNDS}`);
      assert.equal(await gateway.stop(), 0);
    });
  });
}
