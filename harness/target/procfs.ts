// Linux's /proc, read for a process's state, its resources and its command line: the sampler's process tree, the
// check that a process still runs, and `run --resume` telling its own target from another process. Where there is
// no /proc every reading is null (docs/ARCHITECTURE.md, "Process tree").
import { closeSync, openSync, readSync } from 'node:fs';

let buffer = Buffer.allocUnsafe(4096);

/**
 * A small /proc file read into one reused buffer. readFileSync asks the size first, which /proc files give as 0,
 * then reads in growing chunks: five times slower here (1.2 ms against 0.25 ms for a Node process's eleven
 * threads' children files), and the process tree reads several files per process at every sample. Throws as
 * openSync does (ENOENT once the process is gone).
 */
export function readProcFile(path: string, encoding: 'latin1' | 'utf8' = 'latin1'): string {
  const fd = openSync(path, 'r');
  try {
    let length = 0;
    for (;;) {
      if (length === buffer.length) buffer = Buffer.concat([buffer, Buffer.allocUnsafe(buffer.length)]);
      const read = readSync(fd, buffer, length, buffer.length - length, length);
      if (read === 0) return buffer.toString(encoding, 0, length);
      length += read;
    }
  } finally {
    closeSync(fd);
  }
}

/** /proc/<pid>/<file>'s text, or null when it cannot be read (the process is gone, or there is no /proc). */
export function readProc(pid: number, file: string): string | null {
  try {
    return readProcFile(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
}

/** The NUL-separated strings of /proc/<pid>/cmdline or environ, in order; none when it cannot be read. */
export function procStrings(pid: number, file: 'cmdline' | 'environ'): string[] {
  const parts = (readProc(pid, file) ?? '').split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}

/**
 * /proc/<pid>/stat's fields from the state on (after the command name, which may hold spaces and parentheses), or
 * null once the process is gone. Index them with STAT.
 */
export function statFields(pid: number): string[] | null {
  try {
    const text = readProcFile(`/proc/${pid}/stat`);
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Indexes into statFields: field numbers of proc(5) less 3 (pid and the command name come before the state). */
export const STAT = { state: 0, ppid: 1, userTicks: 11, systemTicks: 12, startTime: 19, rssPages: 21 } as const;
