// The session store contract. The gateway's routes, lifecycle and cron speak only to this interface, so the
// naive store (which reproduces OpenClaw #55334) and the dedup store (which fixes it) swap with one flag.

export type SessionKind = 'main' | 'chat' | 'subagent' | 'cron' | 'cronRun';
/** created -> active -> completed | failed -> archived | pruned (see src/sessions/lifecycle.ts). */
export type SessionStatus = 'created' | 'active' | 'completed' | 'failed' | 'archived' | 'pruned';
export const SESSION_KINDS: readonly SessionKind[] = ['main', 'chat', 'subagent', 'cron', 'cronRun'];
export const SESSION_STATUSES: readonly SessionStatus[] = ['created', 'active', 'completed', 'failed', 'archived', 'pruned'];
export type StoreKind = 'naive' | 'dedup';
export type Fix = 'prune' | 'dedupe' | 'orphans' | 'lazy';
export const ALL_FIXES: readonly Fix[] = ['prune', 'dedupe', 'orphans', 'lazy'];

/**
 * One skill as the gateway resolved it: front matter fields and where its SKILL.md is. As in OpenClaw it carries no
 * body (the agent reads SKILL.md when it uses the skill); the long descriptions, twice per skill, make the ~41 KB.
 */
export interface ResolvedSkill {
  name: string;
  description: string;
  requiredEnv: string[];
  filePath: string;
}

/** The per-session copy of all skills that the real gateway stored in every entry (~41 KB for 22 skills). */
export interface SkillsSnapshot {
  prompt: string; // the rendered <available_skills> block
  skills: { name: string; requiredEnv: string[] }[];
  resolvedSkills: ResolvedSkill[];
  version: number;
}

export interface SessionEntry {
  key: string;
  sessionId: string;
  kind: SessionKind;
  status: SessionStatus;
  createdAt: number; // epoch ms
  updatedAt: number;
  endedAt?: number; // when it became completed or failed
  parentKey?: string;
  depth?: number;
  channel?: string;
  peer?: string;
  jobId?: string;
  runId?: string;
  task?: string;
  messageCount: number;
  /** Transcript file name (`<sessionId>.jsonl`) inside the sessions folder. */
  transcriptFile: string;
  /** Always a full object in memory; the dedup store shares one object per distinct snapshot. */
  skillsSnapshot: SkillsSnapshot;
}

/** What stays in memory for every session under the `lazy` fix, and what listings return. */
export interface SessionIndexEntry {
  key: string;
  sessionId: string;
  kind: SessionKind;
  status: SessionStatus;
  updatedAt: number;
  transcriptFile: string;
}

export type SessionPatch = Partial<Omit<SessionEntry, 'key' | 'sessionId'>>;

export interface SessionFilter {
  kind?: SessionKind;
  status?: SessionStatus;
}

export interface StoreStats {
  sessionsFileBytes: number;
  transcriptFiles: number;
  transcriptBytes: number;
  orphanTranscripts: number;
  skillSnapshotBlobs: number;
  /** Sessions the store lists but cannot load (see src/store/damagedSessionError.ts). */
  damaged: { key: string; file: string; problem: string }[];
}

export interface OpenReport {
  sessions: number;
  orphanTranscripts: number;
  orphanBytes: number;
  durationMs: number;
}

export interface SessionStore {
  readonly kind: StoreKind;
  readonly fixes: ReadonlySet<Fix>;
  /** Loads the store from disk and deals with orphan transcripts. Throws a CorruptStoreError naming file and position. */
  open(): Promise<OpenReport>;
  /**
   * Adds a session. Resolves only once a write containing it is durable (temp file, fsync, rename), so a 2xx
   * sent after it survives a SIGKILL. Concurrent mutations share one write (group commit) where the store coalesces.
   */
  create(entry: SessionEntry): Promise<void>;
  get(key: string): Promise<SessionEntry | undefined>;
  /** Applies a patch and persists it like create; undefined when the key is unknown. */
  update(key: string, patch: SessionPatch): Promise<SessionEntry | undefined>;
  /**
   * Patches many sessions in one durable write (start-up fails every run a previous process left running this way,
   * not one write each). `patchOf` sees each loaded entry and returns its patch, or undefined to leave it. Keys that
   * are gone or damaged are skipped. Resolves with the entries changed, once they are durable.
   */
  updateMany(keys: readonly string[], patchOf: (entry: SessionEntry) => SessionPatch | undefined): Promise<SessionEntry[]>;
  delete(key: string): Promise<boolean>;
  list(filter?: SessionFilter): SessionIndexEntry[];
  /** Removes completed ephemeral sessions older than the retention; naive (and dedup without `prune`) never prunes. */
  prune(now: number): Promise<number>;
  stats(): Promise<StoreStats>;
  /** Writes anything pending and waits for it. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
