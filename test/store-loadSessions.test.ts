// What the dedup store finds at open (src/store/loadSessions.ts), read into plain records before it is used.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { loadSessions } from '../src/store/loadSessions.ts';
import { entryBodyPath, storePaths } from '../src/store/paths.ts';
import { ALL_FIXES, type Fix } from '../src/store/sessionStore.ts';
import { dedupSessionsText } from '../src/store/storeFormat.ts';
import { makeEntry, withDataDir } from './fixtures/storeEntries.ts';

const all = new Set<Fix>(ALL_FIXES);
const noLazy = new Set<Fix>(['prune', 'dedupe', 'orphans']);

test('an empty data dir holds nothing and needs no write', async () => {
  await withDataDir(async (dataDir) => {
    assert.deepEqual(await loadSessions(storePaths(dataDir), all, () => undefined), { entries: [], records: [], rewrite: false, obsoleteFiles: [] });
  });
});

test('a naive file is migrated without its cron-job copies, and is rewritten', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    await mkdir(paths.sessionsDir, { recursive: true });
    const run = await makeEntry(paths, 'cronRun');
    await writeFile(paths.sessionsFile, JSON.stringify({ [run.key]: run, 'agent:main:cron:job-01': run }));
    const lines: string[] = [];
    const found = await loadSessions(paths, all, (line) => lines.push(line));
    assert.deepEqual(found.entries.map((entry) => entry.key), [run.key]);
    assert.equal(found.rewrite, true);
    assert.deepEqual(lines, [`migrating naive-format ${paths.sessionsFile}: 1 sessions, 1 duplicate cron-job copies dropped`]);
  });
});

test('the index layout: kept as it is under lazy; without lazy its bodies come back into sessions.json', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    await mkdir(paths.sessionsDir, { recursive: true });
    const chat = await makeEntry(paths, 'chat');
    const { key, skillsSnapshot: _s, createdAt: _c, messageCount: _m, ...rest } = chat;
    await writeFile(paths.sessionsFile, dedupSessionsText('index', { [key]: rest }));
    const lazy = await loadSessions(paths, all, () => undefined);
    assert.deepEqual(lazy, { entries: [], records: [{ ...rest, key }], rewrite: false, obsoleteFiles: [] });
    const eager = await loadSessions(paths, noLazy, () => undefined);
    assert.equal(eager.rewrite, true);
    assert.deepEqual(eager.obsoleteFiles, [entryBodyPath(paths, chat.sessionId)]);
  });
});

test('without sessions.json, the index is rebuilt from the bodies, the latest body of a key winning', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    await mkdir(paths.entriesDir, { recursive: true });
    const old = await makeEntry(paths, 'chat', {}, 1_000);
    const replaced = await makeEntry(paths, 'chat', { key: old.key }, 2_000);
    for (const entry of [old, replaced]) await writeFile(entryBodyPath(paths, entry.sessionId), JSON.stringify(entry));
    const lazy = await loadSessions(paths, all, () => undefined);
    assert.deepEqual(lazy.records.map((record) => record.sessionId), [replaced.sessionId]);
    assert.equal(lazy.rewrite, true);
    const eager = await loadSessions(paths, noLazy, () => undefined);
    assert.deepEqual(eager.entries.map((entry) => entry.sessionId), [replaced.sessionId]);
    assert.equal(eager.obsoleteFiles.length, 2, 'both bodies leave once the whole entries are in sessions.json');
  });
});
