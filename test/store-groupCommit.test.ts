// Writes are atomic and group-committed: concurrent creates share writes, and each caller's promise resolves only
// once a write holding its change is on disk (the promise a 2xx waits for).
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { writeFileAtomic } from '../src/store/atomicWrite.ts';
import { GroupCommitWriter } from '../src/store/groupCommit.ts';
import { createStore } from '../src/store/createStore.ts';
import type { DedupSessionStore } from '../src/store/dedup.ts';
import { entryBodyPath, storePaths } from '../src/store/paths.ts';
import type { Fix } from '../src/store/sessionStore.ts';
import { makeEntry, withDataDir } from './fixtures/storeEntries.ts';

function keysOnDisk(file: string): string[] {
  const parsed = JSON.parse(readFileSync(file, 'utf8'));
  return Object.keys(parsed.format ? parsed.sessions : parsed);
}

for (const fixes of [['prune', 'dedupe', 'orphans', 'lazy'], ['dedupe']] as Fix[][]) {
  test(`dedup [${fixes.join(',')}]: 200 concurrent creates share a few writes and each is durable when it resolves`, async () => {
    await withDataDir(async (dataDir) => {
      const paths = storePaths(dataDir);
      const store = createStore('dedup', { dataDir, fixes: new Set(fixes), log: () => undefined }) as DedupSessionStore;
      await store.open();
      const entries = await Promise.all(Array.from({ length: 200 }, () => makeEntry(paths, 'subagent')));
      const missing: string[] = [];
      await Promise.all(
        entries.map((entry) =>
          store.create(entry).then(() => {
            // Checked synchronously at resolution: no later write can have added it yet.
            if (!keysOnDisk(paths.sessionsFile).includes(entry.key)) missing.push(entry.key);
            if (fixes.includes('lazy') && !existsSync(entryBodyPath(paths, entry.sessionId))) missing.push(`${entry.key} body`);
          }),
        ),
      );
      assert.deepEqual(missing, []);
      assert.ok(store.commitCount < 50, `${store.commitCount} commits for 200 creates`);
      const updates = await Promise.all(entries.slice(0, 50).map((entry) => store.update(entry.key, { status: 'completed', endedAt: 1, updatedAt: 1 })));
      assert.equal(updates.filter(Boolean).length, 50);
      await store.close();
      const reopened = createStore('dedup', { dataDir, fixes: new Set(fixes), log: () => undefined });
      assert.equal((await reopened.open()).sessions, 200);
      assert.equal(reopened.list({ status: 'completed' }).length, 50);
      assert.deepEqual((await readdir(paths.sessionsDir)).filter((name) => name.endsWith('.tmp')), []);
    });
  });
}

test('naive: concurrent creates each rewrite the file in turn and each is durable when it resolves', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    const store = createStore('naive', { dataDir, log: () => undefined });
    await store.open();
    const entries = await Promise.all(Array.from({ length: 20 }, () => makeEntry(paths, 'chat')));
    const missing: string[] = [];
    await Promise.all(
      entries.map((entry) => store.create(entry).then(() => keysOnDisk(paths.sessionsFile).includes(entry.key) || missing.push(entry.key))),
    );
    assert.deepEqual(missing, []);
    await store.close();
    assert.equal(keysOnDisk(paths.sessionsFile).length, 20);
  });
});

test('a caller arriving during a commit waits for the next one, and a failed commit rejects only its own callers', async () => {
  const committed: number[][] = [];
  let state: number[] = [];
  let failNext = false;
  const writer = new GroupCommitWriter(async () => {
    const taken = [...state];
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (failNext) {
      failNext = false;
      throw new Error('disk full');
    }
    committed.push(taken);
  });
  state.push(1);
  const first = writer.request();
  state.push(2);
  const sameTick = writer.request();
  assert.equal(first, sameTick, 'changes of the same tick share one commit');
  await new Promise((resolve) => setTimeout(resolve, 5));
  state.push(3);
  const during = writer.request();
  await first;
  assert.deepEqual(committed, [[1, 2]]);
  await during;
  assert.deepEqual(committed, [[1, 2], [1, 2, 3]]);

  failNext = true;
  state = [...state, 4];
  await assert.rejects(writer.request(), /disk full/);
  state = [...state, 5];
  await writer.request();
  assert.deepEqual(committed.at(-1), [1, 2, 3, 4, 5], 'the next commit carries what the failed one missed');
  await writer.idle();
  assert.equal(writer.commitCount, 4);
});

test('writeFileAtomic replaces a file whole and leaves no temp file, even when it fails', async () => {
  await withDataDir(async (dataDir) => {
    const file = path.join(dataDir, 'state.json');
    await writeFileAtomic(file, 'old');
    await writeFileAtomic(file, 'new');
    assert.equal(await readFile(file, 'utf8'), 'new');
    await assert.rejects(writeFileAtomic(path.join(dataDir, 'missing', 'x.json'), 'x'), { code: 'ENOENT' });
    await mkdir(path.join(dataDir, 'dir.json'));
    await assert.rejects(writeFileAtomic(path.join(dataDir, 'dir.json'), 'x'));
    assert.deepEqual((await readdir(dataDir)).sort(), ['dir.json', 'state.json']);
  });
});

test('dedup: at open, removes temp files and unacknowledged entry files a killed writer left behind', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    const store = createStore('dedup', { dataDir, log: () => undefined });
    await store.open();
    const kept = await makeEntry(paths, 'chat');
    await store.create(kept);
    await store.close();
    await writeFile(path.join(paths.sessionsDir, '.sessions.json.4242.7.tmp'), '{"half":');
    await writeFile(path.join(paths.entriesDir, '.abc.json.4242.8.tmp'), '{');
    await writeFile(path.join(paths.entriesDir, 'never-indexed.json'), '{}');

    const lines: string[] = [];
    const reopened = createStore('dedup', { dataDir, log: (line) => lines.push(line) });
    assert.equal((await reopened.open()).sessions, 1);
    assert.deepEqual(lines, ['removed 1 entry files and 2 temp files left by an interrupted write']);
    assert.deepEqual(await readdir(paths.entriesDir), [`${kept.sessionId}.json`]);
    assert.deepEqual((await readdir(paths.sessionsDir)).filter((name) => name.startsWith('.')), []);
    assert.equal((await reopened.get(kept.key))?.sessionId, kept.sessionId);
  });
});

test('dedup lazy: concurrent updates of a session not yet loaded share one load and lose no field', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    const first = createStore('dedup', { dataDir, log: () => undefined });
    await first.open();
    const entry = await makeEntry(paths, 'chat');
    await first.create(entry);
    await first.close();

    const store = createStore('dedup', { dataDir, cacheSize: 1, log: () => undefined });
    await store.open();
    const [a, b] = await Promise.all([store.update(entry.key, { messageCount: 4 }), store.update(entry.key, { task: 'both kept' })]);
    assert.equal(a, b, 'one object, loaded once');
    await store.close();
    const body = JSON.parse(await readFile(entryBodyPath(paths, entry.sessionId), 'utf8'));
    assert.deepEqual([body.messageCount, body.task], [4, 'both kept']);
  });
});
