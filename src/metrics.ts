// Prometheus exposition of the gateway's figures (GET /metrics) through prom-client, filled from the same shared
// gathering as GET /v1/stats at each scrape, plus prom-client's default process and GC metrics.
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { SESSION_KINDS, SESSION_STATUSES } from './store/sessionStore.ts';
import type { SharedStats } from './stats.ts';

export interface GatewayMetrics {
  contentType: string;
  /** Gathers the current figures and renders them in the Prometheus text format. */
  render(): Promise<string>;
}

export function createMetrics(stats: SharedStats): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const gauge = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
    new Gauge<L>({ name, help, labelNames, registers: [registry] });

  const sessionsTotal = gauge('soakgate_sessions', 'Sessions in the store');
  const sessionsByKind = gauge('soakgate_sessions_by_kind', 'Sessions in the store by kind', ['kind']);
  const sessionsByStatus = gauge('soakgate_sessions_by_status', 'Sessions in the store by status', ['status']);
  const sessionsFileBytes = gauge('soakgate_sessions_file_bytes', 'Size of sessions.json in bytes');
  const transcriptFiles = gauge('soakgate_transcript_files', 'Transcript files in the sessions folder');
  const transcriptBytes = gauge('soakgate_transcript_bytes', 'Total size of transcript files in bytes');
  const orphanTranscripts = gauge('soakgate_orphan_transcripts', 'Transcript files no session refers to');
  const skillSnapshotBlobs = gauge('soakgate_skill_snapshot_blobs', 'Skill snapshots held by the store');
  const damagedSessions = gauge('soakgate_damaged_sessions', 'Sessions listed by the store whose stored body cannot be used');
  const memory = gauge('soakgate_memory_bytes', 'process.memoryUsage() of the gateway', ['type']);

  return {
    contentType: registry.contentType,
    async render() {
      const figures = await stats.gather();
      sessionsTotal.set(figures.sessions.total);
      for (const kind of SESSION_KINDS) sessionsByKind.set({ kind }, figures.sessions.byKind[kind]);
      for (const status of SESSION_STATUSES) sessionsByStatus.set({ status }, figures.sessions.byStatus[status]);
      sessionsFileBytes.set(figures.sessionsFileBytes);
      transcriptFiles.set(figures.transcriptFiles);
      transcriptBytes.set(figures.transcriptBytes);
      orphanTranscripts.set(figures.orphanTranscripts);
      skillSnapshotBlobs.set(figures.skillSnapshotBlobs);
      damagedSessions.set(figures.damagedSessions);
      for (const [type, bytes] of Object.entries(figures.memory)) memory.set({ type }, bytes);
      return registry.metrics();
    },
  };
}
