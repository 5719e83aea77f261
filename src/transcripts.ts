// Session transcripts: one `<sessionId>.jsonl` per session beside sessions.json, in the OpenClaw line format
// (a `session` header line, then one `message` line per turn chained by parentId), plus listing and archiving.
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, open, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isTranscriptFileName, transcriptFileName, transcriptPath, type StorePaths } from './store/paths.ts';

export interface TranscriptHeader {
  type: 'session';
  version: 3;
  id: string;
  timestamp: string;
}

export interface TranscriptMessage {
  type: 'message';
  id: string;
  parentId: string | null;
  timestamp: string;
  message: { role: string; content: { type: 'text'; text: string }[] };
}

export interface TranscriptFileInfo {
  file: string;
  bytes: number;
}

export function transcriptHeaderLine(sessionId: string, now: number): string {
  const header: TranscriptHeader = { type: 'session', version: 3, id: sessionId, timestamp: new Date(now).toISOString() };
  return `${JSON.stringify(header)}\n`;
}

export function transcriptMessageLine(role: string, text: string, parentId: string | null, now: number): { id: string; line: string } {
  const id = randomBytes(4).toString('hex');
  const message: TranscriptMessage = {
    type: 'message',
    id,
    parentId,
    timestamp: new Date(now).toISOString(),
    message: { role, content: [{ type: 'text', text }] },
  };
  return { id, line: `${JSON.stringify(message)}\n` };
}

/** Starts `<sessionId>.jsonl` with its header line and returns the file name the entry records. */
export async function createTranscript(paths: StorePaths, sessionId: string, now: number = Date.now()): Promise<string> {
  const file = transcriptFileName(sessionId);
  await mkdir(paths.sessionsDir, { recursive: true });
  await writeFile(transcriptPath(paths, file), transcriptHeaderLine(sessionId, now), { flag: 'wx' });
  return file;
}

/** The id of the last message line (the parent of the next one), or null after the header alone. */
async function lastMessageId(file: string): Promise<string | null> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    // A message line is far shorter than this tail, so the last complete line is always inside it.
    const length = Math.min(size, 64 * 1024);
    const { buffer } = await handle.read(Buffer.alloc(length), 0, length, size - length);
    const lines = buffer.toString('utf8').trimEnd().split('\n');
    const last = JSON.parse(lines[lines.length - 1]) as { type?: string; id?: string };
    return last.type === 'message' && typeof last.id === 'string' ? last.id : null;
  } finally {
    await handle.close();
  }
}

/** Appends message lines, each chained to the one before; returns the new messages' ids. */
export async function appendTranscriptMessages(
  paths: StorePaths,
  transcriptFile: string,
  messages: { role: string; text: string }[],
  now: number = Date.now(),
): Promise<string[]> {
  const file = transcriptPath(paths, transcriptFile);
  let parentId = await lastMessageId(file);
  const ids: string[] = [];
  let text = '';
  for (const { role, text: content } of messages) {
    const { id, line } = transcriptMessageLine(role, content, parentId, now);
    ids.push(id);
    text += line;
    parentId = id;
  }
  await appendFile(file, text);
  return ids;
}

/** Every top-level `.jsonl` in the sessions folder, with its size (the archive folder is not included). */
export async function listTranscripts(paths: StorePaths): Promise<TranscriptFileInfo[]> {
  const names = await readdir(paths.sessionsDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const files = names.filter(isTranscriptFileName);
  const sizes = await Promise.all(
    files.map((file) =>
      stat(path.join(paths.sessionsDir, file)).then(
        (s) => (s.isFile() ? s.size : -1),
        () => -1, // removed between readdir and stat (archived or pruned meanwhile)
      ),
    ),
  );
  return files.map((file, i) => ({ file, bytes: sizes[i] })).filter((info) => info.bytes >= 0);
}

/** Transcripts that no session names: left behind by deleted or pruned sessions, or a crash. */
export async function findOrphanTranscripts(paths: StorePaths, referenced: ReadonlySet<string>): Promise<TranscriptFileInfo[]> {
  return (await listTranscripts(paths)).filter((info) => !referenced.has(info.file));
}

export async function readTranscript(paths: StorePaths, transcriptFile: string): Promise<string> {
  return readFile(transcriptPath(paths, transcriptFile), 'utf8');
}

/** Moves a transcript into the archive folder; a transcript already gone counts as archived. */
export async function archiveTranscript(paths: StorePaths, transcriptFile: string): Promise<boolean> {
  await mkdir(paths.archiveDir, { recursive: true });
  try {
    await rename(transcriptPath(paths, transcriptFile), path.join(paths.archiveDir, transcriptFile));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

export interface TranscriptTotals {
  transcriptFiles: number;
  transcriptBytes: number;
  orphanTranscripts: number;
}

export async function transcriptTotals(paths: StorePaths, referenced: ReadonlySet<string>): Promise<TranscriptTotals> {
  const files = await listTranscripts(paths);
  return {
    transcriptFiles: files.length,
    transcriptBytes: files.reduce((sum, f) => sum + f.bytes, 0),
    orphanTranscripts: files.filter((f) => !referenced.has(f.file)).length,
  };
}
