// The dedup store's session index: one small record per session, always in memory, from which listings, pruning,
// orphan detection and (under `lazy`) sessions.json itself are served without loading any entry body.
import type { SessionEntry, SessionFilter, SessionIndexEntry, SessionKind, SessionStatus } from './sessionStore.ts';

/** What the index keeps per session; endedAt is kept so pruning never has to load a body. */
export interface IndexRecord extends SessionIndexEntry {
  endedAt?: number;
}

const EPHEMERAL_KINDS: ReadonlySet<SessionKind> = new Set(['subagent', 'cronRun']);
const ENDED_STATUSES: ReadonlySet<SessionStatus> = new Set(['completed', 'failed']);

export function indexRecordOf(entry: Omit<SessionEntry, 'skillsSnapshot'>): IndexRecord {
  const record: IndexRecord = {
    key: entry.key,
    sessionId: entry.sessionId,
    kind: entry.kind,
    status: entry.status,
    updatedAt: entry.updatedAt,
    transcriptFile: entry.transcriptFile,
  };
  if (entry.endedAt !== undefined) record.endedAt = entry.endedAt;
  return record;
}

export class SessionIndex {
  private readonly records = new Map<string, IndexRecord>();

  get size(): number {
    return this.records.size;
  }

  get(key: string): IndexRecord | undefined {
    return this.records.get(key);
  }

  set(record: IndexRecord): void {
    this.records.set(record.key, record);
  }

  delete(key: string): void {
    this.records.delete(key);
  }

  values(): IterableIterator<IndexRecord> {
    return this.records.values();
  }

  /** Whether `key` still names the session `sessionId` (not deleted, pruned or replaced meanwhile). */
  isCurrent(key: string, sessionId: string): boolean {
    return this.records.get(key)?.sessionId === sessionId;
  }

  list(filter: SessionFilter = {}): SessionIndexEntry[] {
    const listed: SessionIndexEntry[] = [];
    for (const { key, sessionId, kind, status, updatedAt, transcriptFile } of this.records.values()) {
      if ((filter.kind && kind !== filter.kind) || (filter.status && status !== filter.status)) continue;
      listed.push({ key, sessionId, kind, status, updatedAt, transcriptFile });
    }
    return listed;
  }

  /** Sub-agents and cron runs that completed or failed at or before `cutoff`: what `prune` removes. */
  endedEphemeral(cutoff: number): IndexRecord[] {
    return [...this.records.values()].filter(
      (record) => EPHEMERAL_KINDS.has(record.kind) && ENDED_STATUSES.has(record.status) && (record.endedAt ?? record.updatedAt) <= cutoff,
    );
  }

  /** The transcript files sessions name; any other transcript is an orphan. */
  transcriptFiles(): Set<string> {
    return new Set([...this.records.values()].map((record) => record.transcriptFile));
  }

  /** The body file names (`<sessionId>.json`) the index names. */
  bodyFileNames(): Set<string> {
    return new Set([...this.records.values()].map((record) => `${record.sessionId}.json`));
  }

  /** The records as sessions.json's `index` layout holds them: by key, without the key repeated. */
  toStoredIndex(): Record<string, Omit<IndexRecord, 'key'>> {
    const sessions: Record<string, Omit<IndexRecord, 'key'>> = {};
    for (const { key, ...rest } of this.records.values()) sessions[key] = rest;
    return sessions;
  }
}
