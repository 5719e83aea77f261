// Group commit (src/store/groupCommit.ts) as the dedup store uses it: writes made in one tick are durable in one
// flush, and clean-ups wait for the commit that makes them safe.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createStore } from '../src/store/createStore.ts';
import type { DedupSessionStore } from '../src/store/dedup.ts';
import { PendingCleanups } from '../src/store/groupCommit.ts';
import { storePaths } from '../src/store/paths.ts';
import { makeEntry, withDataDir } from './fixtures/storeEntries.ts';

test('concurrent creates of one tick are durable in a single commit', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    const store = createStore('dedup', { dataDir, log: () => undefined }) as DedupSessionStore;
    await store.open();
    const entries = await Promise.all(Array.from({ length: 30 }, () => makeEntry(paths, 'chat')));
    const before = store.commitCount;
    await Promise.all(entries.map((entry) => store.create(entry)));
    assert.equal(store.commitCount - before, 1, 'one flush for all thirty');
    const onDisk = Object.keys(JSON.parse(readFileSync(paths.sessionsFile, 'utf8')).sessions);
    assert.deepEqual(entries.map((entry) => entry.key).filter((key) => !onDisk.includes(key)), []);
    await store.close();
  });
});

test('clean-ups run in order after their commit; a failed commit hands them to the next, first', async () => {
  const cleanups = new PendingCleanups();
  const ran: string[] = [];
  cleanups.add(async () => ran.push('a'), async () => ran.push('b'));
  const failed = cleanups.take();
  cleanups.add(async () => ran.push('c'));
  cleanups.restore(failed);
  assert.deepEqual(ran, [], 'nothing runs before a commit succeeds');
  const lines: string[] = [];
  await cleanups.run(cleanups.take(), (line) => lines.push(line));
  assert.deepEqual(ran, ['a', 'b', 'c']);
  assert.deepEqual(cleanups.take(), []);
  assert.deepEqual(lines, []);
});

test('a clean-up that fails is logged and does not stop the ones after it', async () => {
  const cleanups = new PendingCleanups();
  const ran: string[] = [];
  cleanups.add(async () => {
    throw new Error('EACCES: archive');
  }, async () => ran.push('after'));
  const lines: string[] = [];
  await cleanups.run(cleanups.take(), (line) => lines.push(line));
  assert.deepEqual(ran, ['after']);
  assert.deepEqual(lines, ['warning: clean-up after a store write failed: EACCES: archive']);
});
