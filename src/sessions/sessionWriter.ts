// Every write to one session (open, messages, status change) goes through here, one at a time per key, so a
// message and the end of a run never race on the same entry; each resolves once the store says it is durable.
import { newSessionId } from '../keys.ts';
import type { StorePaths } from '../store/paths.ts';
import type { SessionEntry, SessionStatus, SessionStore, SkillsSnapshot } from '../store/sessionStore.ts';
import { appendTranscriptMessages, createTranscript } from '../transcripts.ts';
import { isLive, transitionPatch } from './lifecycle.ts';

export class SessionNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`no session with key ${JSON.stringify(key)}`);
    this.name = 'SessionNotFoundError';
  }
}

export class SessionEndedError extends Error {
  constructor(
    readonly key: string,
    readonly status: SessionStatus,
  ) {
    super(`session ${key} is ${status} and takes no more messages or children`);
    this.name = 'SessionEndedError';
  }
}

export interface TranscriptMessageInput {
  role: string;
  text: string;
}

/** What a new session is, apart from the fields every session gets (ids, times, status, transcript, skills). */
export type SessionFields = Pick<SessionEntry, 'key' | 'kind'> &
  Partial<Pick<SessionEntry, 'parentKey' | 'depth' | 'channel' | 'peer' | 'jobId' | 'runId' | 'task'>>;

export interface SessionWriterDeps {
  store: SessionStore;
  paths: StorePaths;
  /** Handed to every new entry; the naive store deep-copies it per entry (the bug), the dedup store shares it. */
  skillsSnapshot: SkillsSnapshot;
  now: () => number;
  /** Where repairs made to a damaged transcript are reported (the gateway's stderr). */
  log?: (line: string) => void;
}

export class SessionWriter {
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: SessionWriterDeps) {}

  /** Creates the session (transcript first, so no durable entry ever names a missing file). */
  open(fields: SessionFields): Promise<SessionEntry> {
    return this.serial(fields.key, () => this.create(fields));
  }

  /** The existing session under this key, or a new one; `created` says which. */
  openIfAbsent(fields: SessionFields): Promise<{ entry: SessionEntry; created: boolean }> {
    return this.serial(fields.key, async () => {
      const existing = await this.deps.store.get(fields.key);
      if (existing) return { entry: existing, created: false };
      return { entry: await this.create(fields), created: true };
    });
  }

  /** Appends transcript lines to a live session; its first message makes a created session active. */
  append(key: string, messages: TranscriptMessageInput[]): Promise<SessionEntry> {
    return this.serial(key, async () => {
      const entry = await this.deps.store.get(key);
      if (!entry) throw new SessionNotFoundError(key);
      if (!isLive(entry.status)) throw new SessionEndedError(key, entry.status);
      const now = this.deps.now();
      const { repaired } = await appendTranscriptMessages(this.deps.paths, entry.transcriptFile, messages, now);
      if (repaired) this.deps.log?.(`repaired the transcript of ${key} (${entry.transcriptFile}): ${repaired}`);
      const status = entry.status === 'created' ? transitionPatch(entry, 'active', now) : { updatedAt: now };
      const updated = await this.deps.store.update(key, { ...status, messageCount: entry.messageCount + messages.length });
      if (!updated) throw new SessionNotFoundError(key);
      return updated;
    });
  }

  /** Moves the session along its lifecycle; an illegal move throws IllegalTransitionError. */
  transition(key: string, to: SessionStatus): Promise<SessionEntry> {
    return this.serial(key, async () => {
      const entry = await this.deps.store.get(key);
      if (!entry) throw new SessionNotFoundError(key);
      const updated = await this.deps.store.update(key, transitionPatch(entry, to, this.deps.now()));
      if (!updated) throw new SessionNotFoundError(key);
      return updated;
    });
  }

  /** Resolves once every write already queued for this key has settled. */
  async settled(key: string): Promise<void> {
    await this.tails.get(key)?.catch(() => undefined);
  }

  private async create(fields: SessionFields): Promise<SessionEntry> {
    const now = this.deps.now();
    const sessionId = newSessionId();
    const transcriptFile = await createTranscript(this.deps.paths, sessionId, now);
    const entry: SessionEntry = {
      ...fields,
      sessionId,
      status: 'created',
      createdAt: now,
      updatedAt: now,
      messageCount: 0,
      transcriptFile,
      skillsSnapshot: this.deps.skillsSnapshot,
    };
    await this.deps.store.create(entry);
    return entry;
  }

  private serial<T>(key: string, write: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.catch(() => undefined).then(write);
    this.tails.set(key, result);
    // Forget the key once its queue drains, or the map would grow with every session ever written.
    void result.catch(() => undefined).then(() => {
      if (this.tails.get(key) === result) this.tails.delete(key);
    });
    return result;
  }
}
