// A target started as a child process whose pid is the server itself: ready when its stdout matches a regex and/or
// its health URL answers, stopped with SIGTERM then SIGKILL, restartable on the same data, and able to say how and
// why it died or never got ready.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import { targetEnded, watchTarget } from './harnessWatchdog.ts';
import { pollHealth } from './healthCheck.ts';
import { isHttpUrl } from './httpUrl.ts';

export interface CommandTargetSpec {
  /** What reports call this target, e.g. `gateway:naive` or `command:server.mjs`. */
  label: string;
  /** argv[0] is the executable. A TypeScript target is `[node, '--import', 'tsx', 'file.ts']`, never a wrapper. */
  argv: string[];
  cwd?: string;
  /** Added to the harness's own environment. */
  env?: Record<string, string>;
  /** Matched on each stdout line, colour codes stripped; its first group, when it captures a URL, is the base URL. */
  ready?: RegExp;
  /** The base URL when the ready line gives none; takes precedence over it. */
  url?: string;
  /** Polled until it answers 2xx or 3xx (after the ready line, when there is one): a path on the base URL, or a URL. */
  health?: string;
  healthIntervalMs?: number;
  /** How long it has to get ready: ready line and health check together. */
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

/** The target could not be started: it exited, never got ready, or could not be run at all. */
export class TargetStartError extends Error {
  constructor(
    message: string,
    readonly exit: TargetExit | null,
    /** The scenario is at fault, not the target (no such executable, no URL to send load to): exit 2, not 3. */
    readonly configuration = false,
  ) {
    super(message);
    this.name = 'TargetStartError';
  }
}

const LAST_LINES_KEPT = 40;
export const DEFAULT_READY_TIMEOUT_MS = 30_000;
export const DEFAULT_STOP_GRACE_MS = 5_000;
export const DEFAULT_HEALTH_INTERVAL_MS = 500;

// Children still alive when the harness itself exits (an uncaught error, process.exit) are killed here, so no
// run ever leaves a server behind. They run in their own process group (see spawn), so a harness killed outright
// (SIGKILL) leaves them to its watchdog (harnessWatchdog.ts).
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

  /** Starts the target and resolves once it is ready: its ready line printed, then its health URL answering. */
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
    if (child.pid !== undefined) watchTarget(child.pid, this.spec.stopGraceMs ?? DEFAULT_STOP_GRACE_MS);
    this.exited = new Promise<TargetExit>((resolve) => {
      let ended = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null, ran = true) => {
        if (ended) return;
        ended = true;
        liveChildren.delete(child);
        if (child.pid !== undefined) targetEnded(child.pid);
        if (this.child === child) this.child = null;
        const exit = { code, signal, lastLines: this.lastLines() };
        resolve(exit);
        if (ran && !this.stopping) for (const listener of this.exitListeners) listener(exit);
      };
      // 'close' comes after the last output line, but never if a grandchild holds the pipes: wait a little.
      child.once('exit', (code, signal) => {
        const late = setTimeout(() => finish(code, signal), 250);
        child.once('close', () => {
          clearTimeout(late);
          finish(code, signal);
        });
      });
      // A spawn that fails (no such executable) never emits 'exit', and is no death to announce: it never ran.
      child.once('error', () => {
        if (child.pid === undefined) finish(null, null, false);
      });
    });

    const label = this.spec.label;
    const timeoutMs = this.spec.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    // What it is waiting for now, and what the health URL last answered: the words of the timeout's message.
    const stage = { waitingFor: this.spec.ready ? `print its ready line (a line matching ${this.spec.ready})` : 'answer its health check', lastAnswer: '' };
    const attempt = new AbortController();
    let readyLine: (match: RegExpExecArray) => void = () => {};
    const printed = new Promise<RegExpExecArray | null>((resolve) => (this.spec.ready ? (readyLine = resolve) : resolve(null)));
    this.readLines(child, 'stdout', (line) => {
      const match = this.spec.ready?.exec(line);
      if (match) readyLine(match);
    });
    this.readLines(child, 'stderr', () => {});
    const failed = new Promise<never>((_resolve, reject) => {
      const timer = setTimeout(() => {
        const answered = stage.lastAnswer ? ` (its last answer: ${stage.lastAnswer})` : '';
        reject(new TargetStartError(`target ${label} did not ${stage.waitingFor} within ${timeoutMs / 1000} s${answered}`, null));
      }, timeoutMs);
      attempt.signal.addEventListener('abort', () => clearTimeout(timer));
      child.once('error', (err) => reject(cannotStart(label, file, this.spec.cwd, err)));
      void this.exited!.then((exit) => reject(new TargetStartError(`target ${label} exited before it was ready (${describeExit(exit)})`, exit)));
    });
    try {
      await Promise.race([this.getReady(printed, stage, attempt.signal), failed]);
    } catch (err) {
      await this.stop();
      throw err;
    } finally {
      attempt.abort();
    }
  }

  // The base URL comes from `url`, else the ready line's group, else the origin of a health URL; a ready line that
  // names no URL when nothing else gives one is the scenario's fault, said before any load is sent.
  private async getReady(printed: Promise<RegExpExecArray | null>, stage: { waitingFor: string; lastAnswer: string }, signal: AbortSignal): Promise<void> {
    const match = await printed;
    const captured = match?.[1];
    const health = this.spec.health;
    const baseUrl = this.spec.url ?? (isHttpUrl(captured) ? captured : undefined) ?? (isHttpUrl(health) ? new URL(health).origin : undefined);
    if (baseUrl === undefined) {
      const got = !match ? 'has no ready line to take a URL from'
        : captured === undefined ? `printed its ready line ${JSON.stringify(match.input)} but its pattern captures no URL`
        : `printed its ready line ${JSON.stringify(match.input)} but its pattern's group captured ${JSON.stringify(captured)}, not a URL`;
      throw new TargetStartError(
        `target ${this.spec.label} ${got}; add "url" (such as "http://127.0.0.1:8080") or "port" to the target, or give "health" as a full URL`,
        null,
        true,
      );
    }
    if (health !== undefined) {
      const url = health.startsWith('/') ? baseUrl.replace(/\/$/, '') + health : health;
      stage.waitingFor = `answer its health check at ${url}`;
      const intervalMs = this.spec.healthIntervalMs ?? DEFAULT_HEALTH_INTERVAL_MS;
      if (!(await pollHealth({ url, intervalMs, signal }, (answer) => (stage.lastAnswer = answer)))) return;
    }
    this.baseUrl = baseUrl;
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves with how it ended, or null if it was not running. */
  async stop(): Promise<TargetExit | null> {
    const child = this.child;
    const exited = this.exited;
    if (!child || !exited) return null;
    this.stopping = true;
    child.kill('SIGTERM');
    const grace = setTimeout(() => child.kill('SIGKILL'), this.spec.stopGraceMs ?? DEFAULT_STOP_GRACE_MS);
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

  // Colour codes are stripped before anything reads the line: a coloured ready line still matches its pattern.
  private keepLine(raw: string, onLine: (line: string) => void): void {
    const line = stripVTControlCharacters(raw);
    this.lines.push(line);
    if (this.lines.length > LAST_LINES_KEPT) this.lines.shift();
    onLine(line);
  }
}

// ENOENT (no such executable, or no such cwd) and EACCES (not executable): the command cannot run at all.
function cannotStart(label: string, file: string, cwd: string | undefined, err: NodeJS.ErrnoException): TargetStartError {
  const why =
    err.code === 'ENOENT' ? `no executable '${file}' was found (on PATH, or from ${cwd ?? process.cwd()}), or that folder does not exist`
    : err.code === 'EACCES' ? `'${file}' is not executable (or a folder on its way is not readable)`
    : err.message;
  return new TargetStartError(`target ${label} could not be started: ${why} (${err.code ?? 'spawn failed'}); check the command's argv and cwd`, null, true);
}

export function describeExit(exit: { code: number | null; signal: string | null }): string {
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}
