// Where a gateway agent's session state lives on disk. Every path is built from checked segments, so the stores
// and transcripts never touch a file outside `<dataDir>/agents/<agentId>/sessions`.
import path from 'node:path';
import { assertSafeSegment } from '../keys.ts';

export interface StorePaths {
  dataDir: string;
  agentId: string;
  /** `<dataDir>/agents/<agentId>/sessions`: sessions.json and the `<sessionId>.jsonl` transcripts. */
  sessionsDir: string;
  sessionsFile: string;
  /** Where pruned sessions' and orphan transcripts go instead of being deleted. */
  archiveDir: string;
  /** Dedup store, `lazy` fix: one small `<sessionId>.json` body per session, named by the index. */
  entriesDir: string;
  /** Dedup store, `dedupe` fix: one `<sha256>.json` per distinct skills snapshot. */
  snapshotsDir: string;
}

const TRANSCRIPT_SUFFIX = '.jsonl';
/** Sessions hold users' conversations: every file the gateway creates is private to its user, every folder too. */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

export function storePaths(dataDir: string, agentId = 'main'): StorePaths {
  const sessionsDir = path.join(path.resolve(dataDir), 'agents', assertSafeSegment(agentId, 'agent id'), 'sessions');
  return {
    dataDir: path.resolve(dataDir),
    agentId,
    sessionsDir,
    sessionsFile: path.join(sessionsDir, 'sessions.json'),
    archiveDir: path.join(sessionsDir, 'archive'),
    entriesDir: path.join(sessionsDir, 'entries'),
    snapshotsDir: path.join(sessionsDir, 'snapshots'),
  };
}

export function transcriptFileName(sessionId: string): string {
  return `${assertSafeSegment(sessionId, 'session id')}${TRANSCRIPT_SUFFIX}`;
}

export function isTranscriptFileName(name: string): boolean {
  return name.endsWith(TRANSCRIPT_SUFFIX);
}

/** A transcript name an entry may hold: `<safe id>.jsonl`, nothing with a path in it. */
export function assertTranscriptFileName(transcriptFile: string): string {
  if (typeof transcriptFile !== 'string' || !isTranscriptFileName(transcriptFile)) {
    throw new Error(`not a transcript file name (expected <sessionId>.jsonl): ${JSON.stringify(transcriptFile)}`);
  }
  return transcriptFileName(transcriptFile.slice(0, -TRANSCRIPT_SUFFIX.length));
}

/** The session id a transcript is named for (its header line carries it too). */
export function sessionIdOfTranscript(transcriptFile: string): string {
  return assertTranscriptFileName(transcriptFile).slice(0, -TRANSCRIPT_SUFFIX.length);
}

/** The absolute path of a transcript named by an entry; refuses any name that is not `<safe id>.jsonl`. */
export function transcriptPath(paths: StorePaths, transcriptFile: string): string {
  return path.join(paths.sessionsDir, assertTranscriptFileName(transcriptFile));
}

export function entryBodyPath(paths: StorePaths, sessionId: string): string {
  return path.join(paths.entriesDir, `${assertSafeSegment(sessionId, 'session id')}.json`);
}

export function snapshotBlobPath(paths: StorePaths, sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256 hex digest: ${JSON.stringify(sha256)}`);
  return path.join(paths.snapshotsDir, `${sha256}.json`);
}
