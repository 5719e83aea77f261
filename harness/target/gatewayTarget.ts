// The embedded gateway as a target: the `soakgate gateway` command line for a store, its fixes and its data dir.
// It runs through bin/soakgate.js, which loads tsx in-process, so the child's pid is the gateway server itself.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandTargetSpec } from './commandTarget.ts';

const SOAKGATE_BIN = fileURLToPath(new URL('../../bin/soakgate.js', import.meta.url));

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
  const argv = [process.execPath, SOAKGATE_BIN, 'gateway', '--store', options.store, '--data-dir', options.dataDir, '--port', '0'];
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
