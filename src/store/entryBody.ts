// The shape a dedup entry body (`entries/<sessionId>.json`) must have before the store uses it: a body cut short,
// emptied or written by something else is refused here, with its file named, instead of failing later mid-request.
import { assertSafeSegment, assertSessionKey } from '../keys.ts';
import { CorruptStoreError } from './corruptStoreError.ts';
import { entryFieldProblem } from './entryFields.ts';
import { assertTranscriptFileName } from './paths.ts';
import type { SessionEntry, SkillsSnapshot } from './sessionStore.ts';

/** An entry as written: its snapshot inline (dedupe off, as naive) or as the sha256 of a shared blob (dedupe on). */
export type StoredEntry = Omit<SessionEntry, 'skillsSnapshot'> & { skillsSnapshot?: SkillsSnapshot; skillsSnapshotRef?: string };

/**
 * Returns `parsed` as a StoredEntry, or throws a CorruptStoreError naming `file` and the first field that is wrong.
 * With `expected`, the body must also be the one the index names (same key and session id).
 */
export function checkEntryBody(file: string, parsed: unknown, expected?: { key: string; sessionId: string }): StoredEntry {
  const fail = (detail: string): never => {
    throw new CorruptStoreError(file, `entry body ${detail}`);
  };
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail('is not a JSON object');
  const body = parsed as Record<string, unknown>;
  try {
    assertSessionKey(body.key as string);
    assertSafeSegment(body.sessionId as string, 'session id');
    assertTranscriptFileName(body.transcriptFile as string);
  } catch (error) {
    fail((error as Error).message);
  }
  if (expected && (body.key !== expected.key || body.sessionId !== expected.sessionId)) {
    fail(`belongs to ${JSON.stringify(body.key)} / ${JSON.stringify(body.sessionId)}, not to ${expected.key} / ${expected.sessionId}`);
  }
  const problem = entryFieldProblem(body, ['createdAt', 'updatedAt', 'messageCount']);
  if (problem) fail(problem);
  const inline = typeof body.skillsSnapshot === 'object' && body.skillsSnapshot !== null;
  if (!inline && !(typeof body.skillsSnapshotRef === 'string' && /^[0-9a-f]{64}$/.test(body.skillsSnapshotRef))) {
    fail('has neither a skillsSnapshot nor a skillsSnapshotRef');
  }
  return body as unknown as StoredEntry;
}
