// The store files both stores read (src/store/storeFiles.ts): no sessions.json is an empty store, but a link to a
// file that is not there is refused rather than written over.
import assert from 'node:assert/strict';
import { mkdir, symlink } from 'node:fs/promises';
import { test } from 'node:test';
import { DataDirError } from '../src/store/dataDirError.ts';
import { storePaths } from '../src/store/paths.ts';
import { readSessionsFile, removeIfPresent } from '../src/store/storeFiles.ts';
import { withDataDir } from './fixtures/storeEntries.ts';

test('sessions.json reading: none is no store, a link to nothing is refused; removing a file already gone is fine', async () => {
  await withDataDir(async (dataDir) => {
    const paths = storePaths(dataDir);
    assert.equal(await readSessionsFile(paths), undefined);
    await removeIfPresent(paths.sessionsFile);
    await mkdir(paths.sessionsDir, { recursive: true });
    await symlink(`${dataDir}/unmounted/sessions.json`, paths.sessionsFile);
    await assert.rejects(readSessionsFile(paths), (error: Error) => error instanceof DataDirError && /symbolic link to .*which does not exist/.test(error.message));
  });
});
