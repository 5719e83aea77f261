// What a store does at open with transcripts no session names: the naive way OpenClaw #55334 reports (read each in
// full, warn, keep it: start-up grows with them) and the dedup store's `orphans` fix (archive them in one pass).
import { mkdir } from 'node:fs/promises';
import { archiveTranscript, readTranscript, type TranscriptFileInfo } from '../transcripts.ts';
import { inParallel } from './inParallel.ts';
import { PRIVATE_DIR_MODE, type StorePaths } from './paths.ts';

/** What the buggy gateway does with an orphan at every start: read it all, warn, keep it. Returns the bytes read. */
export async function warnAboutEachOrphan(paths: StorePaths, orphans: TranscriptFileInfo[], log: (line: string) => void): Promise<number> {
  let bytes = 0;
  for (const orphan of orphans) {
    const text = await readTranscript(paths, orphan.file);
    bytes += Buffer.byteLength(text);
    let lines = 0;
    let unreadable = 0;
    for (const line of text.split('\n')) {
      if (!line) continue;
      lines++;
      try {
        JSON.parse(line);
      } catch {
        unreadable++; // a line cut short by a crash; the gateway reports it and carries on
      }
    }
    const damage = unreadable > 0 ? `, ${unreadable} unreadable` : '';
    log(`warning: transcript ${orphan.file} (${lines} lines${damage}, ${orphan.bytes} bytes) has no session in sessions.json; keeping it`);
  }
  return bytes;
}

/** The `orphans` fix: moves every orphan into the archive, unread, with one summary line. Returns their bytes. */
export async function archiveOrphans(paths: StorePaths, orphans: TranscriptFileInfo[], log: (line: string) => void): Promise<number> {
  const bytes = orphans.reduce((sum, orphan) => sum + orphan.bytes, 0);
  await mkdir(paths.archiveDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await inParallel(orphans, (orphan) => archiveTranscript(paths, orphan.file));
  if (orphans.length > 0) log(`archived ${orphans.length} orphan transcripts (${bytes} bytes) into ${paths.archiveDir}`);
  return bytes;
}
