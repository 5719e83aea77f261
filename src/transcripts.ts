// Session transcripts: one `<sessionId>.jsonl` per session beside sessions.json, in the OpenClaw line format
// (a `session` header line, then one `message` line per turn chained by parentId), plus listing and archiving.
// Like a write-ahead log, a transcript's tail may be cut short by a crash: appends repair it rather than fail.
// Transcripts hold users' conversations: files are 0600, folders 0700, and no link is followed out of the data dir.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, isTranscriptFileName, sessionIdOfTranscript, transcriptFileName, transcriptPath, type StorePaths } from './store/paths.ts';

// O_NOFOLLOW: a transcript replaced by a link (to ~/.ssh/authorized_keys, say) is refused, not written through.
const APPEND_FLAGS = constants.O_RDWR | constants.O_APPEND | constants.O_NOFOLLOW;
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW;
const CREATE_FLAGS = APPEND_FLAGS | constants.O_CREAT | constants.O_EXCL;
// A message line is usually far shorter; a longer last line is read by widening the window.
const TAIL_WINDOW_BYTES = 64 * 1024;

/** A transcript the gateway cannot append to without leaving its data dir or destroying something: a link, a folder. */
export class TranscriptUnusableError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`transcript ${file} cannot be written: ${problem}. Move it away and the session's next message starts a new one.`);
    this.name = 'TranscriptUnusableError';
  }
}

export interface AppendResult {
  ids: string[];
  /** What was wrong with the transcript and has been repaired, to be logged once. */
  repaired?: string;
}

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
  await mkdir(paths.sessionsDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // 'wx' never follows a link: a name that already exists, as anything, is refused.
  await writeFile(transcriptPath(paths, file), transcriptHeaderLine(sessionId, now), { flag: 'wx', mode: PRIVATE_FILE_MODE });
  return file;
}

function unusable(file: string, error: NodeJS.ErrnoException): Error {
  if (error.code === 'ELOOP') return new TranscriptUnusableError(file, 'it is a symbolic link, which the gateway does not follow');
  if (error.code === 'EISDIR') return new TranscriptUnusableError(file, 'it is a folder');
  return error;
}

/** Opens a transcript to append; a missing one (lost, or moved away by hand) is started again with its header. */
async function openForAppend(file: string, sessionId: string, now: number): Promise<{ handle: FileHandle; repaired?: string }> {
  try {
    const handle = await open(file, APPEND_FLAGS);
    if (!(await handle.stat()).isFile()) {
      await handle.close();
      throw new TranscriptUnusableError(file, 'it is not a regular file');
    }
    return { handle };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw unusable(file, error as NodeJS.ErrnoException);
  }
  const handle = await open(file, CREATE_FLAGS, PRIVATE_FILE_MODE).catch((error: NodeJS.ErrnoException) => {
    throw unusable(file, error);
  });
  await handle.write(transcriptHeaderLine(sessionId, now));
  return { handle, repaired: 'it was missing; started it again with a header line' };
}

/**
 * Cuts a last line that has no newline (a write a crash interrupted; never acknowledged) so the next line starts
 * clean. Returns what was cut, in words, or undefined when the tail was whole.
 */
async function repairTornTail(handle: FileHandle, size: number): Promise<string | undefined> {
  if (size === 0) return undefined;
  const { buffer } = await handle.read(Buffer.alloc(1), 0, 1, size - 1);
  if (buffer[0] === 0x0a) return undefined;
  let keep = 0;
  for (let end = size; end > 0 && keep === 0; end -= TAIL_WINDOW_BYTES) {
    const start = Math.max(0, end - TAIL_WINDOW_BYTES);
    const { buffer: chunk } = await handle.read(Buffer.alloc(end - start), 0, end - start, start);
    const newline = chunk.lastIndexOf(0x0a);
    if (newline >= 0) keep = start + newline + 1;
  }
  await handle.truncate(keep);
  return `its last line was cut short; removed those ${size - keep} bytes`;
}

/** The id of the last readable message line (the parent of the next one), or null when there is none. */
async function lastMessageId(handle: FileHandle, size: number): Promise<string | null> {
  for (let window = TAIL_WINDOW_BYTES; ; window *= 4) {
    const length = Math.min(size, window);
    const { buffer } = await handle.read(Buffer.alloc(length), 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n');
    // Unless the window reaches the start, its first line may be the end of a longer one: not trusted.
    const first = length < size ? 1 : 0;
    for (let i = lines.length - 1; i >= first; i--) {
      if (!lines[i]) continue;
      let line: { type?: string; id?: string };
      try {
        line = JSON.parse(lines[i]);
      } catch {
        continue; // a damaged line in the middle is kept as it is and chained over
      }
      return line.type === 'message' && typeof line.id === 'string' ? line.id : null;
    }
    if (length === size) return null;
  }
}

/** Appends message lines, each chained to the one before; returns the new messages' ids and any repair made. */
export async function appendTranscriptMessages(
  paths: StorePaths,
  transcriptFile: string,
  messages: { role: string; text: string }[],
  now: number = Date.now(),
): Promise<AppendResult> {
  const file = transcriptPath(paths, transcriptFile);
  const { handle, repaired: recreated } = await openForAppend(file, sessionIdOfTranscript(transcriptFile), now);
  try {
    const torn = await repairTornTail(handle, (await handle.stat()).size);
    let parentId = await lastMessageId(handle, (await handle.stat()).size);
    const ids: string[] = [];
    let text = '';
    for (const { role, text: content } of messages) {
      const { id, line } = transcriptMessageLine(role, content, parentId, now);
      ids.push(id);
      text += line;
      parentId = id;
    }
    await handle.write(text);
    return { ids, repaired: recreated ?? torn };
  } finally {
    await handle.close();
  }
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
      // lstat: a link is not a transcript, so it is neither counted, read, nor archived as one.
      lstat(path.join(paths.sessionsDir, file)).then(
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
  const handle = await open(transcriptPath(paths, transcriptFile), READ_FLAGS);
  try {
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** Moves a transcript into the archive folder; a transcript already gone counts as archived. */
export async function archiveTranscript(paths: StorePaths, transcriptFile: string): Promise<boolean> {
  await mkdir(paths.archiveDir, { recursive: true, mode: PRIVATE_DIR_MODE });
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
