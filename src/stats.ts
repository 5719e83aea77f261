// The gateway's own figures (sessions by kind and status, store file sizes, damaged sessions, memory), gathered in
// one place so GET /v1/stats and GET /metrics always report the same numbers. Gathering them scans the sessions
// folder, so it is shared: one gathering at a time however many requests ask, never one per request.
import { GroupCommitWriter } from './store/groupCommit.ts';
import { SESSION_KINDS, SESSION_STATUSES, type SessionKind, type SessionStatus, type SessionStore, type StoreStats } from './store/sessionStore.ts';

/** /v1/stats names at most this many damaged sessions (it counts them all), so its answer stays small. */
export const MAX_DAMAGED_LISTED = 100;

export interface GatewayStats extends Omit<StoreStats, 'damaged'> {
  sessions: {
    total: number;
    byKind: Record<SessionKind, number>;
    byStatus: Record<SessionStatus, number>;
  };
  damagedSessions: number;
  damaged: StoreStats['damaged'];
  memory: NodeJS.MemoryUsage;
}

function zeroes<K extends string>(names: readonly K[]): Record<K, number> {
  return Object.fromEntries(names.map((name) => [name, 0])) as Record<K, number>;
}

async function gatherStoreFigures(store: SessionStore): Promise<Omit<GatewayStats, 'memory'>> {
  const byKind = zeroes(SESSION_KINDS);
  const byStatus = zeroes(SESSION_STATUSES);
  const index = store.list();
  for (const entry of index) {
    byKind[entry.kind] += 1;
    byStatus[entry.status] += 1;
  }
  const storeStats = await store.stats();
  return {
    sessions: { total: index.length, byKind, byStatus },
    sessionsFileBytes: storeStats.sessionsFileBytes,
    transcriptFiles: storeStats.transcriptFiles,
    transcriptBytes: storeStats.transcriptBytes,
    orphanTranscripts: storeStats.orphanTranscripts,
    skillSnapshotBlobs: storeStats.skillSnapshotBlobs,
    damagedSessions: storeStats.damaged.length,
    damaged: storeStats.damaged.slice(0, MAX_DAMAGED_LISTED),
  };
}

/**
 * The figures, shared between concurrent callers. A caller gets figures gathered after it asked (so it sees every
 * write acknowledged before), and callers arriving while a gathering runs share the next one: 200 simultaneous
 * requests cost two gatherings, not 200 (each scanning every transcript, as they once did, for 1.2 GB of RSS).
 */
export class SharedStats {
  private latest: Omit<GatewayStats, 'memory'> | undefined;
  private readonly refresh = new GroupCommitWriter(async () => {
    this.latest = await gatherStoreFigures(this.store);
  });

  constructor(private readonly store: SessionStore) {}

  /** How many gatherings have run (fewer than the callers when they were shared). */
  get gatherings(): number {
    return this.refresh.commitCount;
  }

  async gather(): Promise<GatewayStats> {
    await this.refresh.request();
    return { ...(this.latest as Omit<GatewayStats, 'memory'>), memory: process.memoryUsage() };
  }
}
