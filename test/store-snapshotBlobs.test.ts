// The skills-snapshot blob store (src/store/snapshotBlobs.ts): with `dedupe`, one blob and one shared object per
// distinct snapshot; without it, every entry its own copy inline, as the naive store keeps it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { test } from 'node:test';
import { storePaths } from '../src/store/paths.ts';
import { SnapshotBlobStore } from '../src/store/snapshotBlobs.ts';
import { defaultSnapshot, makeEntry, withDataDir } from './fixtures/storeEntries.ts';

test('dedupe: identical snapshots share one hash, one object and one blob, and a second store reads the blob back', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    const blobs = new SnapshotBlobStore(paths, true);
    const first = blobs.adopt(structuredClone(defaultSnapshot));
    const second = blobs.adopt(structuredClone(defaultSnapshot));
    assert.equal(first, second, 'equal content, one shared object');
    const hashes = blobs.takeUnsaved();
    const hash = createHash('sha256').update(JSON.stringify(defaultSnapshot)).digest('hex');
    assert.deepEqual(hashes, [hash]);
    await blobs.write(hashes);
    assert.deepEqual(await readdir(paths.snapshotsDir), [`${hash}.json`]);
    assert.equal(await blobs.countOnDisk(), 1);

    const stored = blobs.toStored({ ...(await makeEntry(paths, 'chat')), skillsSnapshot: first });
    assert.equal(stored.skillsSnapshotRef, hash);
    assert.equal(stored.skillsSnapshot, undefined, 'the entry holds a reference, not a copy');

    const reader = new SnapshotBlobStore(paths, true);
    const [a, b] = await Promise.all([reader.inflate(stored), reader.inflate({ ...stored, key: 'agent:main:other' })]);
    assert.equal(a.skillsSnapshot, b.skillsSnapshot, 'read once, shared by both entries');
    assert.deepEqual(a.skillsSnapshot, defaultSnapshot);
    assert.deepEqual(reader.takeUnsaved(), [], 'a blob read from disk is not written again');
  });
});

test('without dedupe: each entry keeps its own deep copy inline and no blob is written', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    const blobs = new SnapshotBlobStore(paths, false);
    const first = blobs.adopt(defaultSnapshot);
    const second = blobs.adopt(defaultSnapshot);
    assert.notEqual(first, second);
    assert.notEqual(first, defaultSnapshot);
    assert.deepEqual(first, defaultSnapshot);
    assert.deepEqual(blobs.takeUnsaved(), []);
    const entry = { ...(await makeEntry(paths, 'chat')), skillsSnapshot: first };
    assert.equal(blobs.toStored(entry).skillsSnapshot, first);
    assert.equal(await blobs.countOnDisk(), 0);
  });
});

test('a commit that failed hands its blobs to the next one', async () => {
  await withDataDir(async (dataDir) => {
    const blobs = new SnapshotBlobStore(storePaths(dataDir), true);
    blobs.adopt(defaultSnapshot);
    const taken = blobs.takeUnsaved();
    assert.deepEqual(blobs.takeUnsaved(), []);
    blobs.restoreUnsaved(taken);
    assert.deepEqual(blobs.takeUnsaved(), taken);
  });
});

test('a missing blob rejects with ENOENT naming the blob file', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    const blobs = new SnapshotBlobStore(paths, true);
    const { skillsSnapshot: _own, ...fields } = await makeEntry(paths, 'chat');
    await assert.rejects(blobs.inflate({ ...fields, skillsSnapshotRef: 'a'.repeat(64) }), (error: NodeJS.ErrnoException) => {
      return error.code === 'ENOENT' && error.path === `${paths.snapshotsDir}/${'a'.repeat(64)}.json`;
    });
  });
});
