// The gateway's own figures (sessions by kind and status, store file sizes, memory), gathered in one place so
// GET /v1/stats and GET /metrics always report the same numbers.
import type { SessionKind, SessionStatus, SessionStore, StoreStats } from './store/sessionStore.ts';

export const SESSION_KINDS: readonly SessionKind[] = ['main', 'chat', 'subagent', 'cron', 'cronRun'];
export const SESSION_STATUSES: readonly SessionStatus[] = ['created', 'active', 'completed', 'failed', 'archived', 'pruned'];

export interface GatewayStats extends StoreStats {
  sessions: {
    total: number;
    byKind: Record<SessionKind, number>;
    byStatus: Record<SessionStatus, number>;
  };
  memory: NodeJS.MemoryUsage;
}

function zeroes<K extends string>(names: readonly K[]): Record<K, number> {
  return Object.fromEntries(names.map((name) => [name, 0])) as Record<K, number>;
}

export async function gatherStats(store: SessionStore): Promise<GatewayStats> {
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
    memory: process.memoryUsage(),
  };
}
