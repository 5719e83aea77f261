// The target's process tree read from Linux's /proc: its main process and every descendant, for treeRssBytes, the
// main process's own rssBytes and cpuPercent (CpuMeter), and a record of each process seen (run.json's
// `processTree`). Where there is no /proc nothing is read: treeRssBytes is absent, and the sampler asks pidusage for
// the rest (docs/ARCHITECTURE.md, "Process tree").
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { procStrings, readProc, readProcFile, STAT, statFields } from '../target/procfs.ts';

/** One process of the target's tree as run.json records it. */
export interface ProcessRecord {
  pid: number;
  /** Its command line (/proc/<pid>/cmdline, arguments joined by spaces), or its kernel name in brackets. */
  command: string;
  /** Run time (seconds since the run's start, as a sample's `t`) of the first and the last sample that saw it. */
  firstSeenS: number;
  lastSeenS: number;
  peakRssBytes: number;
}

/** A process as one reading of /proc saw it. */
export interface TreeProcess {
  pid: number;
  /** Clock ticks after boot at which it started: with the pid, tells a process from a later one given its pid. */
  startTicks: number;
  rssBytes: number;
  /** CPU time it used so far, user and system, in clock ticks. */
  cpuTicks: number;
}

/**
 * Records kept in run.json: a target that spawns a process per request would otherwise grow run.json without end.
 * Those past the limit still count in treeRssBytes; run.json says how many went unrecorded.
 */
export const MAX_RECORDED_PROCESSES = 100;
/** Command lines are cut here: some servers pass whole JSON configurations as arguments. */
const MAX_COMMAND_CHARS = 1_000;

/** Whether this system has /proc to read a process tree from (Linux). */
export function canReadProcessTree(): boolean {
  return existsSync(`/proc/${process.pid}/stat`);
}

const systemConfig = new Map<string, number>();

// /proc/<pid>/stat counts resident memory in pages and CPU time in clock ticks; pidusage asks getconf the same way.
function getconf(name: 'PAGESIZE' | 'CLK_TCK', otherwise: number): number {
  let value = systemConfig.get(name);
  if (value === undefined) {
    try {
      value = Number(execFileSync('getconf', [name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()) || otherwise;
    } catch {
      value = otherwise;
    }
    systemConfig.set(name, value);
  }
  return value;
}

const pageSize = () => getconf('PAGESIZE', 4096);
const clockTicksPerS = () => getconf('CLK_TCK', 100);

/**
 * The children of `pid` from /proc/<pid>/task/<tid>/children: one file per thread, since a child belongs to the
 * thread that forked it (a worker thread's spawn). Null when the kernel lacks these files (CONFIG_PROC_CHILDREN).
 */
function childrenOf(pid: number): number[] | null {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const tid of tasks) {
    let text: string;
    try {
      text = readProcFile(`/proc/${pid}/task/${tid}/children`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && existsSync(`/proc/${pid}/task/${tid}`)) return null;
      continue;
    }
    for (const child of text.split(' ')) if (child.trim() !== '') children.push(Number(child));
  }
  return children;
}

/** Every process's parent, from a scan of all of /proc: the way to find children on a kernel without children files. */
function parentsOfAll(): Map<number, number[]> {
  const childrenByParent = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const fields = statFields(Number(name));
    if (!fields) continue;
    const parent = Number(fields[STAT.ppid]);
    let children = childrenByParent.get(parent);
    if (!children) childrenByParent.set(parent, (children = []));
    children.push(Number(name));
  }
  return childrenByParent;
}

/**
 * The process `rootPid` and all its live descendants with their RSS; none when /proc cannot be read
 * (canReadProcessTree says so once, before a run) or `rootPid` has exited. A descendant
 * whose parent exits is adopted by init (or a subreaper) and so leaves the tree. Walking each process's children
 * files costs what the target's own tree costs; a scan of all of /proc for parent pids (the fallback) costs what
 * every process on the machine does, about 10 ms for 100 processes on a loaded 2-core machine.
 */
export function readProcessTree(rootPid: number, options: { scanAll?: boolean } = {}): TreeProcess[] {
  let scanned = options.scanAll ? parentsOfAll() : null;
  const found: TreeProcess[] = [];
  const queue = [rootPid];
  const seen = new Set<number>();
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const fields = statFields(pid);
    // A process that has exited but is not yet reaped (a zombie) holds no memory and has no children left: it is
    // not part of the tree, so a target that is exiting reads as gone, never as 0 bytes.
    if (!fields || fields[STAT.state] === 'Z' || fields[STAT.state] === 'X') continue;
    found.push({
      pid,
      startTicks: Number(fields[STAT.startTime]),
      rssBytes: Number(fields[STAT.rssPages]) * pageSize(),
      cpuTicks: Number(fields[STAT.userTicks]) + Number(fields[STAT.systemTicks]),
    });
    let children = scanned ? (scanned.get(pid) ?? []) : childrenOf(pid);
    if (children === null) {
      scanned = parentsOfAll();
      children = scanned.get(pid) ?? [];
    }
    queue.push(...children);
  }
  return found;
}

function commandLine(pid: number): string {
  // A kernel thread or a zombie has no command line: its name stands for it. A process gone since its stat was read
  // has neither.
  let command = procStrings(pid, 'cmdline').filter((arg) => arg !== '').join(' ');
  if (command === '') {
    const name = readProc(pid, 'comm');
    command = name === null ? '[exited]' : `[${name.trim()}]`;
  }
  return command.length > MAX_COMMAND_CHARS ? `${command.slice(0, MAX_COMMAND_CHARS)}…` : command;
}

/**
 * Follows the target's process tree over a run: each sample reads the tree under the current main pid (which a
 * restart changes), totals its RSS, and updates the record of every process it saw.
 */
export class ProcessTreeTracker {
  private readonly records = new Map<string, ProcessRecord>();
  /** Processes seen after MAX_RECORDED_PROCESSES were recorded. */
  unrecorded = 0;
  /** The unrecorded processes of the last reading, so each is counted once without keeping every one ever seen. */
  private unrecordedAlive = new Set<string>();

  /** `earlier`: the records of the run's first part, when it is resumed. */
  constructor(earlier: ProcessRecord[] = [], earlierUnrecorded = 0) {
    earlier.forEach((record, i) => this.records.set(`earlier ${i}`, { ...record }));
    this.unrecorded = earlierUnrecorded;
  }

  /**
   * Reads the tree under `rootPid` at run time `tS`: its total RSS (null where /proc cannot be read), the main
   * process as read, and whether it met a process not recorded before (so run.json is worth writing again).
   */
  sample(rootPid: number, tS: number): { treeRssBytes: number; main: TreeProcess; newProcesses: boolean } | null {
    const tree = readProcessTree(rootPid);
    if (tree.length === 0) return null;
    let newProcesses = false;
    const unrecordedNow = new Set<string>();
    for (const { pid, startTicks, rssBytes } of tree) {
      const key = `${pid} ${startTicks}`;
      const record = this.records.get(key);
      if (record) {
        record.lastSeenS = tS;
        record.peakRssBytes = Math.max(record.peakRssBytes, rssBytes);
      } else if (this.records.size < MAX_RECORDED_PROCESSES) {
        this.records.set(key, { pid, command: commandLine(pid), firstSeenS: tS, lastSeenS: tS, peakRssBytes: rssBytes });
        newProcesses = true;
      } else {
        unrecordedNow.add(key);
        if (!this.unrecordedAlive.has(key)) this.unrecorded++;
      }
    }
    this.unrecordedAlive = unrecordedNow;
    return { treeRssBytes: tree.reduce((sum, p) => sum + p.rssBytes, 0), main: tree[0], newProcesses };
  }

  /** The records, in the order the processes were first seen. */
  processes(): ProcessRecord[] {
    return [...this.records.values()].map((record) => ({ ...record }));
  }
}

/**
 * The main process's CPU share (100 = one core) from its /proc stat as the tree read it, so the file is read once
 * per sample: since the last reading of the same process, and over its lifetime for a process first seen, as
 * pidusage reckons it. `memory` is its RSS, as pidusage names it.
 */
export class CpuMeter {
  private last: { pid: number; startTicks: number; cpuTicks: number; atMs: number } | null = null;

  usage(main: TreeProcess): { memory: number; cpu: number } {
    const atMs = performance.now();
    const last = this.last;
    const { pid } = main;
    this.last = { pid, startTicks: main.startTicks, cpuTicks: main.cpuTicks, atMs };
    const ticksPerS = clockTicksPerS();
    const sameProcess = last !== null && last.pid === pid && last.startTicks === main.startTicks && atMs > last.atMs;
    const seconds = sameProcess ? (atMs - last.atMs) / 1000 : uptimeS() - main.startTicks / ticksPerS;
    const ticks = sameProcess ? main.cpuTicks - last.cpuTicks : main.cpuTicks;
    return { memory: main.rssBytes, cpu: seconds > 0 ? (ticks / ticksPerS / seconds) * 100 : 0 };
  }
}

/** Seconds since boot, the clock /proc's start times count on. */
function uptimeS(): number {
  return Number(readProcFile('/proc/uptime').split(' ')[0]);
}
