// The embedded gateway as a target (one of the two target adapters, docs/ARCHITECTURE.md, "Targets"): the
// `soakgate gateway` command line for a store, its fixes and its data dir, and its own figures from GET /v1/stats.
// It runs through bin/soakgate.js, which loads tsx in-process, so the child's pid is the gateway server itself.
// Its bounds, which the scenario schema checks, are in gatewayLimits.ts.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandTargetSpec } from './commandTarget.ts';
import type { TargetAdapter, TargetReading, TargetReadings } from './targetAdapter.ts';
import { fileSize } from './watchedFiles.ts';

const SOAKGATE_BIN = fileURLToPath(new URL('../../bin/soakgate.js', import.meta.url));

/**
 * V8 starts a server's young generation small and doubles it, up to 16 MiB a semi-space on Node 20, as survivors
 * add up: for the dedup store under ci-gate's load 45-60 s in, a one-time RSS step of 12-16 MiB inside the measured
 * window. A gateway that has run for an hour grew it long ago, so the embedded one starts with it at full size and
 * a window sees the store's memory, not that start-up (docs/ARCHITECTURE.md, "Warm-up").
 * `SOAKGATE_GATEWAY_V8_DEFAULTS=1` starts it on V8's defaults, to measure that start-up (`bench:warmup --v8-defaults`).
 */
export const FULL_YOUNG_GENERATION = '--min-semi-space-size=16';

function nodeFlags(): string[] {
  return process.env.SOAKGATE_GATEWAY_V8_DEFAULTS === '1' ? [] : [FULL_YOUNG_GENERATION];
}

/** Its start-up line (docs/ARCHITECTURE.md, "Contracts"); the first group is the base URL. */
export const GATEWAY_READY = /listening on (http:\/\/127\.0\.0\.1:\d+)/;

export interface GatewayTargetOptions {
  store: 'naive' | 'dedup';
  /** Dedup store only; undefined means the gateway's default (all fixes). */
  fixes?: string[];
  dataDir: string;
  skills?: number;
  skillsDir?: string;
  cronJobs?: number;
  timeScale?: number;
  /** Retention of completed ephemeral sessions, in simulated milliseconds. */
  pruneAfterMs?: number;
  /** Start from the reported state (188 sessions, 153 orphan transcripts) when the data dir is empty. */
  seedState?: boolean;
}

export function gatewayTargetSpec(options: GatewayTargetOptions, extra: Partial<CommandTargetSpec> = {}): CommandTargetSpec {
  const argv = [process.execPath, ...nodeFlags(), SOAKGATE_BIN, 'gateway', '--store', options.store, '--data-dir', options.dataDir, '--port', '0'];
  if (options.store === 'dedup' && options.fixes) argv.push('--fixes', options.fixes.length ? options.fixes.join(',') : 'none');
  if (options.skillsDir !== undefined) argv.push('--skills-dir', options.skillsDir);
  else if (options.skills !== undefined) argv.push('--skills', String(options.skills));
  if (options.cronJobs !== undefined) argv.push('--cron-jobs', String(options.cronJobs));
  if (options.timeScale !== undefined) argv.push('--time-scale', String(options.timeScale));
  if (options.pruneAfterMs !== undefined) argv.push('--prune-after', `${options.pruneAfterMs}ms`);
  if (options.seedState) argv.push('--seed-state');
  return {
    label: options.store === 'dedup' && options.fixes ? `gateway:dedup[${options.fixes.join(',') || 'none'}]` : `gateway:${options.store}`,
    ready: GATEWAY_READY,
    ...extra,
    argv,
  };
}

/** The gateway's session store file, read by the sampler when /v1/stats does not answer (during a restart). */
export function gatewaySessionsFile(dataDir: string): string {
  return join(dataDir, 'agents', 'main', 'sessions', 'sessions.json');
}

interface GatewayStats {
  sessions: { total: number; byKind: Record<string, number>; byStatus: Record<string, number> };
  sessionsFileBytes: number;
  transcriptFiles: number;
  transcriptBytes: number;
  orphanTranscripts: number;
  skillSnapshotBlobs: number;
}

/** The embedded gateway with these options, started with these limits (milliseconds). */
export function gatewayAdapter(options: GatewayTargetOptions, limits: { readyTimeoutMs: number; stopGraceMs: number }): TargetAdapter {
  const spec = gatewayTargetSpec(options);
  return {
    label: spec.label,
    process: (launch) => ({ ...spec, ...limits, env: { ...launch.probeEnv(), ...launch.env }, logFile: launch.logFile }),
    readings: gatewayReadings(gatewaySessionsFile(options.dataDir)),
  };
}

/** GET /v1/stats; while the gateway does not answer (a restart), sessions.json's size read from disk. */
export function gatewayReadings(sessionsFile: string): TargetReadings {
  return {
    async read(baseUrl, timeoutMs): Promise<TargetReading> {
      const stats = baseUrl === null ? null : await fetchStats(baseUrl, timeoutMs);
      if (!stats) {
        const size = await fileSize(sessionsFile);
        return { metrics: size === null ? {} : { sessionsFileBytes: size } };
      }
      return {
        metrics: {
          sessionsFileBytes: stats.sessionsFileBytes,
          transcriptFiles: stats.transcriptFiles,
          transcriptBytes: stats.transcriptBytes,
          orphanTranscripts: stats.orphanTranscripts,
          skillSnapshotBlobs: stats.skillSnapshotBlobs,
          sessionCount: stats.sessions.total,
        },
        sessions: { byKind: stats.sessions.byKind, byStatus: stats.sessions.byStatus },
      };
    },
  };
}

async function fetchStats(baseUrl: string, timeoutMs: number): Promise<GatewayStats | null> {
  try {
    const response = await fetch(`${baseUrl}/v1/stats`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return null;
    return (await response.json()) as GatewayStats;
  } catch {
    return null;
  }
}

