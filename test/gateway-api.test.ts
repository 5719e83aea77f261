// The gateway API end to end on a real process: sessions, messages, sub-agent trees, cron runs, listing, stats
// that match /metrics, graceful shutdown that keeps everything, and the command's own errors.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { call, runGatewayToExit, startGateway, tempDataDir, waitFor, type GatewayProcess } from './fixtures/gateway-process.ts';

const enc = encodeURIComponent;

for (const store of ['naive', 'dedup'] as const) {
  describe(`gateway API with the ${store} store`, () => {
    const data = tempDataDir();
    let gateway: GatewayProcess;
    before(async () => {
      // Work runs 100x faster than real time; the long retention keeps completed runs visible to the assertions.
      gateway = await startGateway(['--store', store, '--data-dir', data.dir, '--cron-jobs', '0', '--time-scale', '100', '--prune-after', '1h']);
    });
    after(async () => {
      await gateway?.kill();
      data.remove();
    });

    test('creates a chat session, records messages, and reopening the same peer returns it', async () => {
      const created = await call(gateway.url, 'POST', '/v1/sessions', { channel: 'telegram', peer: 'alice' });
      assert.equal(created.status, 201);
      assert.equal(created.body.key, 'agent:main:telegram:direct:alice');
      assert.match(created.body.sessionId, /^[0-9a-f-]{36}$/);
      const again = await call(gateway.url, 'POST', '/v1/sessions', { channel: 'telegram', peer: 'alice' });
      assert.equal(again.status, 200);
      assert.equal(again.body.sessionId, created.body.sessionId);

      for (const text of ['hello', 'how are you']) {
        const message = await call(gateway.url, 'POST', `/v1/sessions/${enc(created.body.key)}/messages`, { role: 'user', text });
        assert.equal(message.status, 201);
      }
      const session = await call(gateway.url, 'GET', `/v1/sessions/${enc(created.body.key)}`);
      assert.equal(session.status, 200);
      assert.equal(session.body.kind, 'chat');
      assert.equal(session.body.status, 'active');
      assert.equal(session.body.messageCount, 2);
      assert.equal(session.body.skillsSnapshot.skills.length, 22);

      const transcript = readFileSync(join(data.dir, 'agents/main/sessions', session.body.transcriptFile), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(transcript[0].type, 'session');
      assert.equal(transcript[0].id, created.body.sessionId);
      assert.deepEqual(transcript.slice(1).map((line) => line.message.content[0].text), ['hello', 'how are you']);
      assert.equal(transcript[2].parentId, transcript[1].id);
    });

    test('a body-less POST opens a new anonymous chat each time', async () => {
      const first = await call(gateway.url, 'POST', '/v1/sessions');
      const second = await call(gateway.url, 'POST', '/v1/sessions');
      assert.equal(first.status, 201);
      assert.equal(second.status, 201);
      assert.notEqual(first.body.key, second.body.key);
      assert.match(first.body.key, /^agent:main:webchat:direct:anon-[0-9a-f]+$/);
    });

    test('spawns a sub-agent tree that fans out to the given depth and completes by itself', async () => {
      const spawned = await call(gateway.url, 'POST', '/v1/subagents', { parentKey: 'agent:main:main', task: 'survey', depth: 3, fanout: 2 });
      assert.equal(spawned.status, 202);
      assert.match(spawned.body.key, /^agent:main:subagent:[0-9a-f-]{36}$/);
      const tree = await waitFor('7 completed sub-agents in the tree', async () => {
        const { body } = await call(gateway.url, 'GET', '/v1/sessions?kind=subagent&status=completed');
        const inTree = body.sessions.filter((s: { key: string }) => s.key.startsWith(spawned.body.key));
        return inTree.length === 7 ? inTree : undefined;
      });
      const depths = tree.map((s: { key: string }) => s.key.split(':subagent:').length - 1).sort();
      assert.deepEqual(depths, [1, 2, 2, 3, 3, 3, 3]);
      const child = await call(gateway.url, 'GET', `/v1/sessions/${enc(tree.find((s: { key: string }) => s.key.split(':subagent:').length === 3).key)}`);
      assert.equal(child.body.depth, 2);
      assert.equal(child.body.parentKey.split(':subagent:').length, 2);
      assert.equal(child.body.messageCount, 4);
      assert.ok(child.body.endedAt >= child.body.createdAt);
    });

    test('runs a cron job now: a run session under the job that completes by itself', async () => {
      // Only a configured job runs; this gateway has none, so one with five is started (its own firings do not matter).
      assert.equal((await call(gateway.url, 'POST', '/v1/cron/job-05/run')).status, 404);
      const cronData = tempDataDir();
      const withJobs = await startGateway(['--store', store, '--data-dir', cronData.dir, '--cron-jobs', '5', '--time-scale', '100', '--prune-after', '1h']);
      try {
        const run = await call(withJobs.url, 'POST', '/v1/cron/job-05/run');
        assert.equal(run.status, 202);
        assert.match(run.body.key, /^agent:main:cron:job-05:run:[0-9a-f-]{36}$/);
        const done = await waitFor('the cron run to complete', async () => {
          const { body } = await call(withJobs.url, 'GET', `/v1/sessions/${enc(run.body.key)}`);
          return body.status === 'completed' ? body : undefined;
        });
        assert.equal(done.kind, 'cronRun');
        assert.equal(done.jobId, 'job-05');
        assert.equal(done.messageCount, 3);
      } finally {
        await withJobs.kill();
        cronData.remove();
      }
    });

    test('lists by kind and status, deletes a session, and stats agree with /metrics', async () => {
      const { body: chat } = await call(gateway.url, 'POST', '/v1/sessions', { channel: 'discord', peer: 'bob' });
      const chats = await call(gateway.url, 'GET', '/v1/sessions?kind=chat');
      assert.ok(chats.body.sessions.every((s: { kind: string }) => s.kind === 'chat'));
      assert.ok(chats.body.sessions.some((s: { key: string }) => s.key === chat.key));
      const limited = await call(gateway.url, 'GET', '/v1/sessions?limit=1');
      assert.equal(limited.body.sessions.length, 1);
      assert.ok(limited.body.total > 1);

      assert.equal((await call(gateway.url, 'DELETE', `/v1/sessions/${enc(chat.key)}`)).status, 204);
      assert.equal((await call(gateway.url, 'GET', `/v1/sessions/${enc(chat.key)}`)).status, 404);
      assert.equal((await call(gateway.url, 'DELETE', `/v1/sessions/${enc(chat.key)}`)).status, 404);

      const stats = (await call(gateway.url, 'GET', '/v1/stats')).body;
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      const gauge = (line: string) => Number(new RegExp(`^${line.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(metrics)?.[1]);
      assert.equal(gauge('soakgate_sessions'), stats.sessions.total);
      assert.equal(gauge('soakgate_sessions_by_kind{kind="chat"}'), stats.sessions.byKind.chat);
      assert.equal(gauge('soakgate_sessions_by_status{status="completed"}'), stats.sessions.byStatus.completed);
      assert.equal(gauge('soakgate_sessions_file_bytes'), stats.sessionsFileBytes);
      assert.equal(gauge('soakgate_transcript_files'), stats.transcriptFiles);
      assert.equal(gauge('soakgate_skill_snapshot_blobs'), stats.skillSnapshotBlobs);
      assert.ok(stats.sessionsFileBytes > 0 && stats.transcriptBytes > 0);
      assert.ok(stats.memory.rss > 0 && stats.memory.heapUsed > 0);
      assert.deepEqual(Object.keys(stats.sessions.byKind).sort(), ['chat', 'cron', 'cronRun', 'main', 'subagent']);
      assert.equal((await call(gateway.url, 'GET', '/healthz')).body.status, 'ok');
    });

    test('SIGTERM flushes the store and exits 0; a restart serves the same sessions', async () => {
      const { body: chat } = await call(gateway.url, 'POST', '/v1/sessions', { channel: 'signal', peer: 'carol' });
      assert.equal(await gateway.stop(), 0);
      gateway = await startGateway(['--store', store, '--data-dir', data.dir, '--cron-jobs', '0', '--prune-after', '1h']);
      const again = await call(gateway.url, 'GET', `/v1/sessions/${enc(chat.key)}`);
      assert.equal(again.status, 200);
      assert.equal(again.body.sessionId, chat.sessionId);
    });
  });
}

describe('the gateway command itself', () => {
  const data = tempDataDir();
  after(() => data.remove());

  test('--help prints the options and exits 0', async () => {
    const result = await runGatewayToExit(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /--store naive\|dedup/);
    assert.match(result.stdout, /--prune-after/);
  });

  test('a usage mistake names the flag and exits 2', async () => {
    const missing = await runGatewayToExit(['--store', 'naive']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--data-dir DIR is required/);
    const badFix = await runGatewayToExit(['--store', 'dedup', '--data-dir', data.dir, '--fixes', 'prune,speed']);
    assert.equal(badFix.code, 2);
    assert.match(badFix.stderr, /unknown fix 'speed'/);
    const naiveFix = await runGatewayToExit(['--store', 'naive', '--data-dir', data.dir, '--fixes', 'prune']);
    assert.equal(naiveFix.code, 2);
    const badDuration = await runGatewayToExit(['--store', 'dedup', '--data-dir', data.dir, '--prune-after', 'soon']);
    assert.equal(badDuration.code, 2);
    assert.match(badDuration.stderr, /--prune-after must be a duration/);
  });

  for (const store of ['naive', 'dedup'] as const) {
    test(`a corrupt sessions.json stops the ${store} gateway with exit 2, naming file and position, and is left untouched`, async () => {
      const sessionsDir = join(data.dir, store, 'agents/main/sessions');
      mkdirSync(sessionsDir, { recursive: true });
      const file = join(sessionsDir, 'sessions.json');
      const corrupt = '{"agent:main:main": {"sessionId": "abc",\n  "kind": "main", "status": oops}}';
      writeFileSync(file, corrupt);
      const result = await runGatewayToExit(['--store', store, '--data-dir', join(data.dir, store)]);
      assert.equal(result.code, 2);
      assert.ok(result.stderr.includes(file), result.stderr);
      assert.match(result.stderr, /line 2, column 29/);
      assert.equal(result.stdout, '');
      assert.equal(readFileSync(file, 'utf8'), corrupt);
    });
  }
});
