// The session lifecycle: the state machine alone (legal moves, what a move writes, illegal ones refused), then on a
// real gateway: a sub-agent completes by itself, dedup prunes it after its retention, naive never does.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, startGateway, tempDataDir, waitFor, type GatewayProcess } from '../fixtures/gateway-process.ts';
import { IllegalTransitionError, canTransition, isLive, transitionPatch } from '../../src/sessions/lifecycle.ts';
import type { SessionStatus } from '../../src/store/sessionStore.ts';

const ALL: SessionStatus[] = ['created', 'active', 'completed', 'failed', 'archived', 'pruned'];
const LEGAL = new Set([
  'created->active',
  'created->failed',
  'active->completed',
  'active->failed',
  'completed->archived',
  'completed->pruned',
  'failed->archived',
  'failed->pruned',
]);

test('allows exactly created -> active -> completed | failed -> archived | pruned', () => {
  for (const from of ALL) {
    for (const to of ALL) {
      assert.equal(canTransition(from, to), LEGAL.has(`${from}->${to}`), `${from} -> ${to}`);
    }
  }
});

test('refuses to revive an ended session or to prune a running one', () => {
  assert.throws(() => transitionPatch({ key: 'agent:main:subagent:a', status: 'completed' }, 'active', 1), IllegalTransitionError);
  assert.throws(() => transitionPatch({ key: 'agent:main:subagent:a', status: 'active' }, 'pruned', 1), /cannot go from active to pruned/);
  assert.throws(() => transitionPatch({ key: 'agent:main:subagent:a', status: 'pruned' }, 'archived', 1), IllegalTransitionError);
});

test('stamps endedAt only when a session completes or fails', () => {
  assert.deepEqual(transitionPatch({ key: 'k', status: 'created' }, 'active', 5), { status: 'active', updatedAt: 5 });
  assert.deepEqual(transitionPatch({ key: 'k', status: 'active' }, 'completed', 9), { status: 'completed', updatedAt: 9, endedAt: 9 });
  assert.deepEqual(transitionPatch({ key: 'k', status: 'created' }, 'failed', 7), { status: 'failed', updatedAt: 7, endedAt: 7 });
});

test('counts only created and active sessions as live', () => {
  assert.deepEqual(ALL.filter(isLive), ['created', 'active']);
});

describe('the lifecycle end to end', () => {
  const enc = encodeURIComponent;
  const data = tempDataDir();
  const gateways: GatewayProcess[] = [];
  after(async () => {
    for (const gateway of gateways) await gateway.kill();
    data.remove();
  });

  // 60 s of retention at --time-scale 100 is 600 ms of real time.
  const start = async (store: 'naive' | 'dedup') => {
    const gateway = await startGateway(['--store', store, '--data-dir', join(data.dir, store), '--cron-jobs', '0', '--time-scale', '100', '--prune-after', '60s']);
    gateways.push(gateway);
    return gateway;
  };

  const spawnAndAwaitCompletion = async (gateway: GatewayProcess) => {
    const { body } = await call(gateway.url, 'POST', '/v1/subagents', { parentKey: 'agent:main:main', task: 'index the docs' });
    const seen = new Set<string>();
    const completed = await waitFor('the sub-agent to complete by itself', async () => {
      const { body: entry } = await call(gateway.url, 'GET', `/v1/sessions/${enc(body.key)}`);
      if (entry.status) seen.add(entry.status);
      return entry.status === 'completed' ? entry : undefined;
    });
    assert.ok(!seen.has('failed'), `statuses seen: ${[...seen]}`);
    return completed;
  };

  test('dedup: a sub-agent completes by itself, then is pruned after its retention and its transcript archived', async () => {
    const gateway = await start('dedup');
    const { body: chat } = await call(gateway.url, 'POST', '/v1/sessions', { channel: 'slack', peer: 'dana' });
    const entry = await spawnAndAwaitCompletion(gateway);
    assert.equal(entry.messageCount, 4);
    await waitFor('the completed sub-agent to be pruned', async () => {
      const { status } = await call(gateway.url, 'GET', `/v1/sessions/${enc(entry.key)}`);
      return status === 404 ? true : undefined;
    });
    const pruned = Date.now();
    assert.ok(pruned - entry.endedAt >= 600, `pruned ${pruned - entry.endedAt} ms after it ended, before its retention`);
    const sessionsDir = join(data.dir, 'dedup', 'agents/main/sessions');
    // The index drops a pruned session at once; its transcript moves once that index is committed.
    await waitFor('the pruned transcript to be archived', async () =>
      existsSync(join(sessionsDir, 'archive', entry.transcriptFile)) ? true : undefined);
    assert.ok(!existsSync(join(sessionsDir, entry.transcriptFile)), 'transcript still in the sessions folder');
    // Human sessions are never pruned.
    assert.equal((await call(gateway.url, 'GET', `/v1/sessions/${enc(chat.key)}`)).status, 200);
    assert.equal((await call(gateway.url, 'GET', '/v1/sessions/agent%3Amain%3Amain')).status, 200);
  });

  test('naive: a completed sub-agent is never pruned', async () => {
    const gateway = await start('naive');
    const entry = await spawnAndAwaitCompletion(gateway);
    // Four retentions and several prune ticks later it is still there, as in OpenClaw #55334.
    await new Promise((resolve) => setTimeout(resolve, 2400));
    const { status, body } = await call(gateway.url, 'GET', `/v1/sessions/${enc(entry.key)}`);
    assert.equal(status, 200);
    assert.equal(body.status, 'completed');
    assert.ok(existsSync(join(data.dir, 'naive', 'agents/main/sessions', entry.transcriptFile)));
  });

  test('a restart fails the sub-agents a killed gateway left running', async () => {
    const dir = join(data.dir, 'restart');
    const slow = await startGateway(['--store', 'dedup', '--data-dir', dir, '--cron-jobs', '0', '--prune-after', '1h']);
    gateways.push(slow);
    const { body } = await call(slow.url, 'POST', '/v1/subagents', { parentKey: 'agent:main:main', task: 'long job' });
    await slow.kill();
    const restarted = await startGateway(['--store', 'dedup', '--data-dir', dir, '--cron-jobs', '0', '--prune-after', '1h']);
    gateways.push(restarted);
    const { body: entry } = await call(restarted.url, 'GET', `/v1/sessions/${enc(body.key)}`);
    assert.equal(entry.status, 'failed');
    assert.ok(entry.endedAt > 0);
  });

  test('a restart keeps a sub-agent whose entry ended after its index was last written (SIGKILL between the two)', async () => {
    const dir = join(data.dir, 'index-behind');
    const first = await startGateway(['--store', 'dedup', '--data-dir', dir, '--cron-jobs', '0', '--prune-after', '1h']);
    gateways.push(first);
    const { body } = await call(first.url, 'POST', '/v1/subagents', { parentKey: 'agent:main:main', task: 'long job' });
    await first.kill();
    // What a kill between the two writes leaves: the entry file says completed, sessions.json still says active.
    const sessionsDir = join(dir, 'agents/main/sessions');
    const index = JSON.parse(readFileSync(join(sessionsDir, 'sessions.json'), 'utf8'));
    assert.match(JSON.stringify(index), /"(created|active)"/);
    const bodyFile = join(sessionsDir, 'entries', `${(await sessionIdOf(dir, body.key))}.json`);
    const stored = JSON.parse(readFileSync(bodyFile, 'utf8'));
    writeFileSync(bodyFile, JSON.stringify({ ...stored, status: 'completed', endedAt: Date.now() }));

    const restarted = await startGateway(['--store', 'dedup', '--data-dir', dir, '--cron-jobs', '0', '--prune-after', '1h']);
    gateways.push(restarted);
    const { body: entry } = await call(restarted.url, 'GET', `/v1/sessions/${enc(body.key)}`);
    assert.equal(entry.status, 'completed');
    const { body: listed } = await call(restarted.url, 'GET', '/v1/sessions?kind=subagent&status=completed');
    assert.ok(listed.sessions.some((s: { key: string }) => s.key === body.key), 'the index was brought level with the entry');
  });
});

/** The session id a stopped gateway's index gives a key. */
async function sessionIdOf(dir: string, key: string): Promise<string> {
  const text = readFileSync(join(dir, 'agents/main/sessions/sessions.json'), 'utf8');
  const match = new RegExp(`"${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^}]*?"sessionId":"([^"]+)"`).exec(text);
  assert.ok(match, `no sessionId for ${key} in sessions.json`);
  return match[1];
}
