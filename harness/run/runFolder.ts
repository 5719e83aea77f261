// One run's folder and its run.json: what ran, against what, with which options, on which machine and commit,
// so a result can be read (or a baseline trusted) long after the run.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import type { ProcessRecord } from '../sampling/processTree.ts';
import { UsageError } from '../contracts/exitCodes.ts';

export interface RunMeta {
  scenario: {
    name: string;
    file?: string;
    /** The file's absolute path, so `run --resume` finds it from any working directory. */
    path?: string;
    description?: string;
  };
  target: string;
  /** The options this run was started with (store, fixes, duration, overrides...). */
  options: Record<string, unknown>;
  seed: number;
  node: string;
  os: { platform: string; release: string; arch: string };
  cpu: { model: string; cores: number; totalMemBytes: number };
  gitCommit: string | null;
  startedAt: string;
  /** Every process the target ran as, one more per restart. */
  targetPids: number[];
  /**
   * Each process seen in the target's tree (its main process and descendants; Linux only), in the order first
   * seen; absent where /proc cannot be read. Past MAX_RECORDED_PROCESSES, `processTreeUnrecorded` counts the rest.
   */
  processTree?: ProcessRecord[];
  processTreeUnrecorded?: number;
  /** How long the target took from spawn to its ready line. */
  targetStartupMs?: number;
  /** The harness process recording this run; `run --resume` refuses while it is still alive. */
  harnessPid?: number;
  /** Each time `run --resume` carried the run on: when, and the series time it continued from. */
  resumes?: Array<{ at: string; fromT: number }>;
  endedAt?: string;
  interrupted?: boolean;
  exitCode?: number;
  crashed?: { code: number | null; signal: string | null; lastLines: string[] };
}

/** `runs/<scenario>-<store>-<UTC stamp>`, e.g. runs/production-mix-naive-20261125T010203Z. */
export function defaultRunDir(scenarioName: string, targetName: string, at = new Date(), root = 'runs'): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return join(root, `${scenarioName}-${targetName}-${stamp}`);
}

/** Creates the folder; refuses one that already holds samples, so a run never mixes into another's. */
export function createRunFolder(dir: string): string {
  const full = resolve(dir);
  if (existsSync(join(full, 'samples.jsonl'))) {
    throw new UsageError(`${dir} already holds a run (samples.jsonl); choose another --out folder`);
  }
  mkdirSync(full, { recursive: true });
  return full;
}

export function describeMachine(): Pick<RunMeta, 'node' | 'os' | 'cpu' | 'gitCommit'> {
  const cpus = os.cpus();
  return {
    node: process.version,
    os: { platform: process.platform, release: os.release(), arch: process.arch },
    cpu: { model: cpus[0]?.model.trim() ?? 'unknown', cores: cpus.length, totalMemBytes: os.totalmem() },
    gitCommit: gitCommit(),
  };
}

function gitCommit(): string | null {
  try {
    const cwd = new URL('../..', import.meta.url).pathname;
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return dirty.trim() ? `${commit}-dirty` : commit;
  } catch {
    return null;
  }
}

/** Writes run.json whole through a temp file, so a reader never sees half of it. */
export function writeRunMeta(dir: string, meta: RunMeta): void {
  writeJsonAtomically(join(dir, 'run.json'), meta);
}

/** Records in run.json an exit code decided after the run, such as `run`'s exit 1 on a budget clearly exceeded. */
export function writeJsonAtomically(file: string, value: unknown): void {
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, JSON.stringify(value, null, 2) + '\n');
  renameSync(temp, file);
}
