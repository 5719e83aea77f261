// One soakgate command run as a user runs it (a process of its own, from the repository's root), and what it left in
// its run folder: the bench scripts that judge whole runs (soak, warmup, openclaw) share it.
import { spawn, type StdioOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSamples, type Sample } from '../harness/contracts/sample.ts';
import type { Summary } from '../harness/contracts/summary.ts';

const root = new URL('..', import.meta.url).pathname;

export interface FinishedRun {
  code: number | null;
  /** Null when the run wrote none (it was refused, or died before its end). */
  summary: Summary | null;
  /** Read only when asked for; empty when the run wrote none. */
  samples: Sample[];
}

/** `soakgate <args>` writing into `out`; `withSamples` also reads samples.jsonl. */
export function soakgateRun(args: string[], out: string, options: { stdio?: StdioOptions; withSamples?: boolean } = {}): Promise<FinishedRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin/soakgate.js'), ...args], { cwd: root, stdio: options.stdio ?? 'ignore' });
    child.on('close', (code) => resolve({ code, summary: readJson<Summary>(join(out, 'summary.json')), samples: options.withSamples ? readSamples(out) : [] }));
  });
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

function readSamples(out: string): Sample[] {
  try {
    return parseSamples(readFileSync(join(out, 'samples.jsonl'), 'utf8')).samples;
  } catch {
    return [];
  }
}
