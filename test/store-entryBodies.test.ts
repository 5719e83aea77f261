// Lazy entry bodies (src/store/entryBodies.ts): written per session, loaded on demand through a bounded cache, and
// a body that cannot be used makes its session damaged.
import assert from 'node:assert/strict';
import { unlink } from 'node:fs/promises';
import { test } from 'node:test';
import { DamagedSessionError } from '../src/store/damagedSessionError.ts';
import { EntryBodies } from '../src/store/entryBodies.ts';
import { entryBodyPath, storePaths, type StorePaths } from '../src/store/paths.ts';
import { SessionIndex, indexRecordOf } from '../src/store/sessionIndex.ts';
import type { SessionEntry } from '../src/store/sessionStore.ts';
import { SnapshotBlobStore } from '../src/store/snapshotBlobs.ts';
import { makeEntry, withDataDir } from './fixtures/storeEntries.ts';

function lazyBodies(paths: StorePaths, cacheSize: number, log: (line: string) => void = () => undefined) {
  const index = new SessionIndex();
  const blobs = new SnapshotBlobStore(paths, true);
  return { index, blobs, bodies: new EntryBodies(paths, index, blobs, { lazy: true, cacheSize, log }) };
}

async function written(paths: StorePaths, count: number): Promise<SessionEntry[]> {
  const { index, blobs, bodies } = lazyBodies(paths, count);
  const entries = await Promise.all(Array.from({ length: count }, () => makeEntry(paths, 'chat')));
  for (const entry of entries) {
    index.set(indexRecordOf(entry));
    bodies.keep({ ...entry, skillsSnapshot: blobs.adopt(entry.skillsSnapshot) });
  }
  await blobs.write(blobs.takeUnsaved());
  const taken = bodies.takeDirty();
  assert.equal(taken.length, count);
  await bodies.write(taken);
  bodies.settle(taken);
  return entries;
}

test('bodies load on demand, once for concurrent readers, and the least recently used leaves the cache', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    const entries = await written(paths, 3);
    const { index, bodies } = lazyBodies(paths, 2);
    for (const entry of entries) index.set(indexRecordOf(entry));
    const records = entries.map((entry) => index.get(entry.key)!);
    const [a, again] = await Promise.all([bodies.get(records[0]), bodies.get(records[0])]);
    assert.equal(a, again, 'one load for both');
    assert.deepEqual({ ...a, skillsSnapshot: undefined }, { ...entries[0], skillsSnapshot: undefined });
    await bodies.get(records[1]);
    await bodies.get(records[2]); // evicts entries[0], the least recently used
    assert.equal(await bodies.get(records[2]), await bodies.get(records[2]), 'a cached body is the same object');
    assert.notEqual(await bodies.get(records[0]), a, 'an evicted body is read again from its file');
  });
});

test('a missing body makes its session damaged, warned about once, until the session is kept anew', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    const [entry] = await written(paths, 1);
    await unlink(entryBodyPath(paths, entry.sessionId));
    const lines: string[] = [];
    const { index, bodies } = lazyBodies(paths, 4, (line) => lines.push(line));
    index.set(indexRecordOf(entry));
    bodies.markMissing(new Set());
    await assert.rejects(bodies.get(index.get(entry.key)!), (error: Error) => error instanceof DamagedSessionError && /entry file is missing/.test(error.message));
    assert.equal(lines.length, 1);
    assert.deepEqual(bodies.damagedSessions().map((damage) => damage.key), [entry.key]);
    bodies.keep(entry);
    assert.equal(await bodies.get(index.get(entry.key)!), entry);
    assert.deepEqual(bodies.damagedSessions(), []);
  });
});

test('a failed commit hands its bodies to the next one unless they changed meanwhile', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    const { index, bodies } = lazyBodies(paths, 4);
    const [first, second] = await Promise.all([makeEntry(paths, 'chat'), makeEntry(paths, 'chat')]);
    for (const entry of [first, second]) {
      index.set(indexRecordOf(entry));
      bodies.keep(entry);
    }
    const failed = bodies.takeDirty();
    bodies.keep({ ...second, messageCount: 5 }); // changed while the commit ran: already dirty again
    bodies.restoreDirty(failed);
    assert.deepEqual(bodies.takeDirty().map((body) => [body.key, JSON.parse(body.text).messageCount]).sort(), [[first.key, 0], [second.key, 5]].sort());
  });
});
