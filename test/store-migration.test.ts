// The fixed gateway opens the buggy gateway's data: the seeded #55334 state (naive format) is migrated by the
// dedup store, with or without each fix, and the naive store opens it as it is.
import assert from 'node:assert/strict';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { SeedStateExistsError, seedReportedState } from '../src/seed/reportedState.ts';
import { createStore } from '../src/store/createStore.ts';
import { storePaths } from '../src/store/paths.ts';
import { ALL_FIXES, type Fix } from '../src/store/sessionStore.ts';
import { withDataDir } from './fixtures/storeEntries.ts';

test('seeds the reported state: 188 keys, 78 + 40 ended ephemeral sessions, 153 orphans of about 36.4 MB', async () => {
  await withDataDir(async (dataDir) => {
    const summary = await seedReportedState({ dataDir });
    assert.equal(summary.sessionKeys, 188);
    assert.deepEqual(summary.byKind, { main: 1, chat: 57, subagent: 78, cron: 12, cronRun: 40 });
    assert.equal(summary.orphanTranscripts, 153);
    assert.ok(Math.abs(summary.orphanBytes - 36.4e6) < 0.2e6, `orphans weigh ${summary.orphanBytes}`);
    const sessions = JSON.parse(await readFile(summary.sessionsFile, 'utf8'));
    assert.equal(Object.keys(sessions).length, 188);
    const ended = Object.entries(sessions).filter(([key, e]: [string, any]) => key === e.key && ['subagent', 'cronRun'].includes(e.kind) && e.status === 'completed' && e.endedAt);
    assert.equal(ended.length, 118);
    assert.ok(summary.sessionsFileBytes / 188 > 40 * 1024, 'every key carries its own snapshot');
    assert.ok(Object.keys(sessions).some((key) => key.split(':subagent:').length > 2), 'some sub-agents are nested');
    const lines = (await readFile(path.join(path.dirname(summary.sessionsFile), sessions['agent:main:main'].transcriptFile), 'utf8')).trim().split('\n');
    assert.deepEqual(Object.keys(JSON.parse(lines[0])), ['type', 'version', 'id', 'timestamp']);
    assert.equal(JSON.parse(lines[2]).parentId, JSON.parse(lines[1]).id);
    await assert.rejects(seedReportedState({ dataDir }), SeedStateExistsError);
  });
});

test('the naive store opens the seed as it is: 188 sessions, 153 orphans read and warned about', async () => {
  await withDataDir(async (dataDir) => {
    await seedReportedState({ dataDir });
    const warnings: string[] = [];
    const store = createStore('naive', { dataDir, log: (line) => warnings.push(line) });
    const report = await store.open();
    assert.equal(report.sessions, 188);
    assert.equal(report.orphanTranscripts, 153);
    assert.equal(warnings.length, 153);
    await store.close();
  });
});

for (const fixes of [ALL_FIXES, [], ...ALL_FIXES.map((fix) => [fix])] as Fix[][]) {
  test(`the dedup store migrates the seed with fixes [${fixes.join(',')}] and keeps every session`, async () => {
    await withDataDir(async (dataDir) => {
      // Small orphans keep this loop quick; the full 36.4 MB is opened in the tests above.
      await seedReportedState({ dataDir, orphanBytes: 2e6 });
      const paths = storePaths(dataDir);
      const naive = JSON.parse(await readFile(paths.sessionsFile, 'utf8'));
      const lines: string[] = [];
      const store = createStore('dedup', { dataDir, fixes: new Set(fixes), log: (line) => lines.push(line) });
      const report = await store.open();
      assert.equal(report.sessions, 176, 'the 12 cron-job copies are not carried over');
      assert.match(lines[0], /migrating naive-format .*: 176 sessions, 12 duplicate cron-job copies dropped/);
      for (const [key, entry] of Object.entries(naive) as [string, any][]) {
        if (key !== entry.key) continue;
        assert.deepEqual(await store.get(key), entry, `session ${key} survives migration`);
      }
      await store.close();
      const again = createStore('dedup', { dataDir, fixes: new Set(fixes), log: () => undefined });
      assert.equal((await again.open()).sessions, 176);
      assert.equal(again.list({ kind: 'cronRun', status: 'completed' }).length, 40);
      assert.equal(again.list({ kind: 'subagent' }).length, 78);
      if (fixes.includes('prune')) assert.equal(await again.prune(Date.now()), 118);
      await again.close();
      const format = JSON.parse(await readFile(paths.sessionsFile, 'utf8'));
      assert.equal(format.format, 'soakgate.dedup.v1');
      if (fixes.includes('orphans')) assert.equal((await readdir(paths.archiveDir)).length, 153 + (fixes.includes('prune') ? 118 : 0));
      if (fixes.length === 4) assert.ok((await stat(paths.sessionsFile)).size < 20 * 1024, 'the pruned index is a few KB');
    });
  });
}

test('the naive store refuses a data dir the dedup store has rewritten, saying so, and leaves it as it is', async () => {
  await withDataDir(async (dataDir) => {
    await seedReportedState({ dataDir, orphanBytes: 1e5 });
    const dedup = createStore('dedup', { dataDir, log: () => undefined });
    await dedup.open();
    await dedup.close();
    const paths = storePaths(dataDir);
    const before = await readFile(paths.sessionsFile, 'utf8');
    const naive = createStore('naive', { dataDir, log: () => undefined });
    await assert.rejects(naive.open(), /written by the dedup store \(format soakgate\.dedup\.v1\).*--store dedup/);
    assert.equal(await readFile(paths.sessionsFile, 'utf8'), before);
  });
});
