// A target started as a child process whose pid is the server itself: ready when its stdout matches a regex,
// stopped with SIGTERM then SIGKILL, restartable on the same data, and able to say how and why it died.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

export interface CommandTargetSpec {
  /** What reports call this target, e.g. `gateway:naive` or `command:server.mjs`. */
  label: string;
  /** argv[0] is the executable. A TypeScript target is `[node, '--import', 'tsx', 'file.ts']`, never a wrapper. */
  argv: string[];
  cwd?: string;
  /** Added to the harness's own environment. */
  env?: Record<string, string>;
  /** Matched on each stdout line; the first group, when there is one, is the target's base URL. */
  ready: RegExp;
  readyTimeoutMs?: number;
  /** How long SIGTERM gets before SIGKILL. */
  stopGraceMs?: number;
  /** Every output line of every start is appended here, so a crash can be read in full later. */
  logFile?: string;
}

export interface TargetExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  lastLines: string[];
}

/** The target could not be started: it exited, or never printed its ready line. */
export class TargetStartError extends Error {
  constructor(message: string, readonly exit: TargetExit | null) {
    super(message);
    this.name = 'TargetStartError';
  }
}

const LAST_LINES_KEPT = 40;

// Children still alive when the harness itself exits (an uncaught error, process.exit) are killed here, so no
// run ever leaves a server behind. They run in their own process group (see spawn) so this is the only way out.
const liveChildren = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

export class CommandTarget {
  private child: ChildProcess | null = null;
  private exited: Promise<TargetExit> | null = null;
  private stopping = false;
  private readonly lines: string[] = [];
  private log: WriteStream | null = null;
  private readonly exitListeners: ((exit: TargetExit) => void)[] = [];
  /** The base URL from the ready line's first group, when the regex has one. */
  baseUrl: string | null = null;

  constructor(readonly spec: CommandTargetSpec) {}

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** The last output lines (stdout and stderr interleaved as they arrived). */
  lastLines(): string[] {
    return [...this.lines];
  }

  /** Called when the target exits without being asked to (a crash, or a server that ends by itself). */
  onUnexpectedExit(listener: (exit: TargetExit) => void): void {
    this.exitListeners.push(listener);
  }

  /** Starts the target and resolves once its ready line is printed. */
  async start(): Promise<void> {
    if (this.child) throw new Error(`target ${this.spec.label} is already running (pid ${this.child.pid})`);
    const [file, ...args] = this.spec.argv;
    if (!file) throw new TargetStartError(`target ${this.spec.label} has an empty argv`, null);
    if (this.spec.logFile && !this.log) this.log = createWriteStream(this.spec.logFile, { flags: 'a' });
    this.stopping = false;
    this.baseUrl = null;
    // detached: its own process group, so a Ctrl-C on the terminal reaches the harness alone, which then
    // stops the load before the target (and does not mistake the target's SIGINT exit for a crash).
    const child = spawn(file, args, {
      cwd: this.spec.cwd,
      env: { ...process.env, ...this.spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    liveChildren.add(child);
    this.exited = new Promise<TargetExit>((resolve) => {
      let ended = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (ended) return;
        ended = true;
        liveChildren.delete(child);
        if (this.child === child) this.child = null;
        const exit = { code, signal, lastLines: this.lastLines() };
        resolve(exit);
        if (!this.stopping) for (const listener of this.exitListeners) listener(exit);
      };
      // 'close' comes after the last output line, but never if a grandchild holds the pipes: wait a little.
      child.once('exit', (code, signal) => {
        const late = setTimeout(() => finish(code, signal), 250);
        child.once('close', () => {
          clearTimeout(late);
          finish(code, signal);
        });
      });
      // A spawn that fails (no such executable) never emits 'exit'.
      child.once('error', () => {
        if (child.pid === undefined) finish(null, null);
      });
    });
    const ready = new Promise<void>((resolve, reject) => {
      const timeoutMs = this.spec.readyTimeoutMs ?? 30_000;
      const timer = setTimeout(() => {
        reject(new TargetStartError(`target ${this.spec.label} printed no line matching ${this.spec.ready} within ${timeoutMs} ms`, null));
      }, timeoutMs);
      this.readLines(child, 'stdout', (line) => {
        const match = this.spec.ready.exec(line);
        if (!match || this.baseUrl !== null) return;
        this.baseUrl = match[1] ?? '';
        clearTimeout(timer);
        resolve();
      });
      this.readLines(child, 'stderr', () => {});
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new TargetStartError(`target ${this.spec.label} could not be started (${file}): ${err.message}`, null));
      });
      void this.exited!.then((exit) => {
        clearTimeout(timer);
        reject(new TargetStartError(`target ${this.spec.label} exited before it was ready (${describeExit(exit)})`, exit));
      });
    });
    try {
      await ready;
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves with how it ended, or null if it was not running. */
  async stop(): Promise<TargetExit | null> {
    const child = this.child;
    const exited = this.exited;
    if (!child || !exited) return null;
    this.stopping = true;
    child.kill('SIGTERM');
    const grace = setTimeout(() => child.kill('SIGKILL'), this.spec.stopGraceMs ?? 5_000);
    const exit = await exited;
    clearTimeout(grace);
    return exit;
  }

  /** Stops and starts again on the same data; resolves once the new process is ready. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Closes the output log; call once the target is stopped for good. */
  async close(): Promise<void> {
    const log = this.log;
    this.log = null;
    if (log) await new Promise<void>((resolve) => log.end(resolve));
  }

  private readLines(child: ChildProcess, stream: 'stdout' | 'stderr', onLine: (line: string) => void): void {
    let partial = '';
    const source = child[stream]!;
    source.setEncoding('utf8');
    source.on('data', (chunk: string) => {
      this.log?.write(chunk);
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) this.keepLine(line, onLine);
    });
    source.on('end', () => {
      if (partial) this.keepLine(partial, onLine);
      partial = '';
    });
  }

  private keepLine(line: string, onLine: (line: string) => void): void {
    this.lines.push(line);
    if (this.lines.length > LAST_LINES_KEPT) this.lines.shift();
    onLine(line);
  }
}

export function describeExit(exit: { code: number | null; signal: string | null }): string {
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}
