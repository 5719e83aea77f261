// The crash sweep at open (src/store/crashSweep.ts): what a killed commit left is removed, what the index names is kept.
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { sweepAfterCrash } from '../src/store/crashSweep.ts';
import { DataDirError } from '../src/store/dataDirError.ts';
import { storePaths } from '../src/store/paths.ts';
import { withDataDir } from './fixtures/storeEntries.ts';

test('removes temp files in all three folders and, under lazy, bodies the index does not name', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    for (const dir of [paths.sessionsDir, paths.entriesDir, paths.snapshotsDir]) await mkdir(dir, { recursive: true });
    await writeFile(path.join(paths.sessionsDir, '.sessions.json.99.1.tmp'), '{');
    await writeFile(path.join(paths.snapshotsDir, `.${'b'.repeat(64)}.json.99.2.tmp`), '{');
    await writeFile(path.join(paths.entriesDir, 'kept.json'), '{}');
    await writeFile(path.join(paths.entriesDir, 'stray.json'), '{}');
    const lines: string[] = [];
    const found = await sweepAfterCrash(paths, new Set(['kept.json', 'gone.json']), (line) => lines.push(line));
    assert.deepEqual([...found].sort(), ['kept.json', 'stray.json'], 'the listing before strays were removed');
    assert.deepEqual(await readdir(paths.entriesDir), ['kept.json']);
    assert.deepEqual((await readdir(paths.sessionsDir)).filter((name) => name.endsWith('.tmp')), []);
    assert.deepEqual(await readdir(paths.snapshotsDir), []);
    assert.deepEqual(lines, ['removed 1 entry files and 2 temp files left by an interrupted write']);
  });
});

test('without lazy keeps every body, says nothing when there was nothing to remove, and stops at a file where entries/ belongs', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    await mkdir(paths.entriesDir, { recursive: true });
    await writeFile(path.join(paths.entriesDir, 'any.json'), '{}');
    const lines: string[] = [];
    assert.deepEqual([...(await sweepAfterCrash(paths, undefined, (line) => lines.push(line)))], ['any.json']);
    assert.deepEqual(await readdir(paths.entriesDir), ['any.json']);
    assert.deepEqual(lines, []);

    const other = storePaths(path.join(dataDir, 'other'));
    await mkdir(other.sessionsDir, { recursive: true });
    await writeFile(other.entriesDir, 'not a folder');
    await assert.rejects(sweepAfterCrash(other, undefined, () => undefined), DataDirError);
  });
});
