// Loads memlab with its working folder inside the run folder, its console muted and its errors thrown.
// Importing @memlab/core creates its working folder under the system temp folder (/tmp/memlab) at once, so
// the first import runs with TMPDIR pointed at the run folder; later calls just move the working folder.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type * as MemlabCore from '@memlab/core';
import type * as MemlabHeapAnalysis from '@memlab/heap-analysis';

export interface Memlab {
  core: typeof MemlabCore;
  heapAnalysis: typeof MemlabHeapAnalysis;
}

/** memlab's ErrorHandling.Throw; its default, Halt, calls process.exit(1) on a bad snapshot. */
const ERROR_HANDLING_THROW = 2;

let loading: Promise<Memlab> | undefined;

// memlab is CommonJS: plain Node puts its exports on `default`, tsx puts them on the namespace itself.
function exportsOf<T>(namespace: T): T {
  return (namespace as { default?: T }).default ?? namespace;
}

async function importWithTmpDir(tmpDir: string): Promise<Memlab> {
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = tmpDir;
  try {
    const core = exportsOf(await import('@memlab/core'));
    const heapAnalysis = exportsOf(await import('@memlab/heap-analysis'));
    return { core, heapAnalysis };
  } finally {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  }
}

/** memlab, with its working folder set to `<workDir>/memlab`. */
export async function loadMemlab(workDir: string): Promise<Memlab> {
  mkdirSync(workDir, { recursive: true });
  loading ??= importWithTmpDir(workDir);
  const memlab = await loading;
  const { config } = memlab.core;
  config.muteConsole = true;
  config.errorHandling = ERROR_HANDLING_THROW as typeof config.errorHandling;
  config.defaultFileManagerOption = { workDir: memlabWorkDir(workDir) };
  return memlab;
}

export function memlabWorkDir(workDir: string): string {
  return join(workDir, 'memlab');
}
