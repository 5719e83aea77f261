// Loads memlab with its working folder inside the run folder, its console muted and its errors thrown.
// memlab makes folders under <system temp>/memlab when it is imported and whenever its working folder is set
// (its browser and input folders ignore the working folder), so both happen with TMPDIR at the run folder.
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

/** Sets TMPDIR (os.tmpdir() reads it on every call) and returns the value it had. */
function setTmpDir(tmpDir: string | undefined): string | undefined {
  const previous = process.env.TMPDIR;
  if (tmpDir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = tmpDir;
  return previous;
}

async function importMemlab(): Promise<Memlab> {
  const core = exportsOf(await import('@memlab/core'));
  const heapAnalysis = exportsOf(await import('@memlab/heap-analysis'));
  return { core, heapAnalysis };
}

/** memlab, with its working folder set to `<workDir>/memlab`. */
export async function loadMemlab(workDir: string): Promise<Memlab> {
  mkdirSync(workDir, { recursive: true });
  if (!loading) {
    // The only time TMPDIR stays changed across an await (so other code may see it), once per process.
    const previous = setTmpDir(workDir);
    loading = importMemlab().finally(() => setTmpDir(previous));
  }
  const memlab = await loading;
  const { config } = memlab.core;
  config.muteConsole = true;
  config.errorHandling = ERROR_HANDLING_THROW as typeof config.errorHandling;
  const previous = setTmpDir(workDir);
  try {
    config.defaultFileManagerOption = { workDir: memlabWorkDir(workDir) };
  } finally {
    setTmpDir(previous);
  }
  return memlab;
}

function memlabWorkDir(workDir: string): string {
  return join(workDir, 'memlab');
}
