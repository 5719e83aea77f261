// The harness's end of the probe: a Unix socket the injected probe (probe.mjs) connects to from inside the
// target, and the NODE_OPTIONS that load it. It outlives target restarts: each new target process connects anew.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isRunning } from '../target/processAlive.ts';
import { folderRemoved, removeAtDeath } from '../target/harnessWatchdog.ts';

export const PROBE_PATH = fileURLToPath(new URL('./probe.mjs', import.meta.url));
/**
 * Removes the probe folders (soakgate-probe-<pid>-*) in the temp dir whose harness is dead: its watchdog removes
 * them at its death, but not if both were killed together. A live harness's folder is left alone.
 */
export function removeStaleProbeFolders(dir = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const owner = /^soakgate-probe-(\d+)-/.exec(name);
    if (!owner || Number(owner[1]) === process.pid || isRunning(Number(owner[1]))) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
    removed.push(join(dir, name));
  }
  return removed;
}

/** The probe's figures for one window; names are sample metric names (harness/contracts/sample.ts). */
export type ProbeFigures = Partial<
  Record<
    | 'heapUsedBytes'
    | 'heapTotalBytes'
    | 'heapPhysicalBytes'
    | 'heapFloorBytes'
    | 'heapAfterGcBytes'
    | 'externalBytes'
    | 'youngGenerationBytes'
    | 'eventLoopDelayP50Ms'
    | 'eventLoopDelayP99Ms'
    | 'gcCount'
    | 'gcPauseMs'
    | 'rssAfterFullGcBytes'
    | 'settlePauseMs'
    | 'settlesByTarget'
    | 'settleDeferred'
    | 'eventLoopUtilization'
    | 'mainThreadDemand'
    | 'workerThreads'
    | 'workersStarted'
    | 'workerHeapsRead'
    | 'workerHeapBytes'
    | 'workerHeapFloorBytes',
    number
  >
>;

interface ProbeConnection {
  pid: number;
  socket: net.Socket;
  pending: Map<number, (reply: Record<string, unknown>) => void>;
}

export class ProbeClient {
  private readonly connections = new Map<number, ProbeConnection>();
  private readonly waiters: { pid: number; resolve: () => void }[] = [];
  private nextId = 1;

  private constructor(
    private readonly server: net.Server,
    private readonly dir: string,
    readonly socketPath: string,
  ) {}

  /** Opens the socket in a private temp folder (Unix socket paths are limited to ~107 bytes, run folders are not). */
  static async listen(): Promise<ProbeClient> {
    removeStaleProbeFolders();
    // Named for the harness that owns it, so a later harness can tell a dead one's folder from a live one's.
    const dir = mkdtempSync(join(tmpdir(), `soakgate-probe-${process.pid}-`));
    removeAtDeath(dir);
    const socketPath = join(dir, 'probe.sock');
    const server = net.createServer();
    const client = new ProbeClient(server, dir, socketPath);
    server.on('connection', (socket) => client.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
    // Never the reason the harness stays alive.
    server.unref();
    process.on('exit', client.removeDir);
    return client;
  }

  /** Environment that loads the probe into a Node target, keeping any NODE_OPTIONS it already has. */
  targetEnv(existingNodeOptions = process.env.NODE_OPTIONS ?? ''): Record<string, string> {
    const importFlag = `--import=${pathToFileURL(PROBE_PATH).href}`;
    return {
      SOAKGATE_PROBE_SOCKET: this.socketPath,
      NODE_OPTIONS: [existingNodeOptions, importFlag].filter(Boolean).join(' '),
    };
  }

  /** True once the process with this pid has connected (Node targets only; others never do). */
  isConnected(pid: number): boolean {
    return this.connections.has(pid);
  }

  /** Resolves true when the probe in process `pid` has connected, false after the timeout. */
  async waitFor(pid: number, timeoutMs: number): Promise<boolean> {
    if (this.connections.has(pid)) return true;
    return new Promise<boolean>((resolve) => {
      const waiter = {
        pid,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /**
   * This window's figures from process `pid`, or null when it has no probe or does not answer in time. With
   * `settle`, the probe adds the RSS and the heap floor a full collection left: the target's own since the last
   * settled reading, else one it forces, unless the target is saturated (then the figures say `settleDeferred`);
   * with 'always', one it forces whatever the target does. A reply that
   * comes after the timeout goes to `onLate` (a large heap's full collection can pause the target longer than a
   * sample waits, and its reading is still the window's floor).
   */
  async sample(pid: number, timeoutMs: number, settle: boolean | 'always' = false, onLate?: (figures: ProbeFigures) => void): Promise<ProbeFigures | null> {
    const late = onLate && ((reply: Record<string, unknown>) => {
      if (typeof reply.figures === 'object' && reply.figures) onLate(reply.figures as ProbeFigures);
    });
    const reply = await this.request(pid, { op: 'sample', settle }, timeoutMs, late);
    return reply && typeof reply.figures === 'object' ? (reply.figures as ProbeFigures) : null;
  }

  /**
   * Writes a heap snapshot from inside process `pid`; durationMs is how long it blocked the target, heapUsedBytes
   * the heap right after it (writing one collects fully first).
   */
  async snapshot(pid: number, path: string, timeoutMs: number): Promise<{ path: string; durationMs: number; heapUsedBytes: number | null }> {
    const reply = await this.request(pid, { op: 'snapshot', path }, timeoutMs);
    if (!reply) throw new Error(`the probe in pid ${pid} wrote no heap snapshot within ${timeoutMs} ms (or has no probe)`);
    if (typeof reply.error === 'string') throw new Error(`heap snapshot failed in pid ${pid}: ${reply.error}`);
    return { path: String(reply.path), durationMs: Number(reply.durationMs), heapUsedBytes: typeof reply.heapUsedBytes === 'number' ? reply.heapUsedBytes : null };
  }

  async close(): Promise<void> {
    for (const { socket } of this.connections.values()) socket.destroy();
    this.connections.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.removeDir();
    process.off('exit', this.removeDir);
  }

  // Also run at exit, so a harness that quits at once (a second Ctrl-C) leaves no socket folder in /tmp.
  private readonly removeDir = (): void => {
    rmSync(this.dir, { recursive: true, force: true });
    folderRemoved(this.dir);
  };

  /** Resolves null after the timeout; a reply after that goes to `onLate`, if given, or is dropped. */
  private request(
    pid: number,
    body: Record<string, unknown>,
    timeoutMs: number,
    onLate?: (reply: Record<string, unknown>) => void,
  ): Promise<Record<string, unknown> | null> {
    const connection = this.connections.get(pid);
    if (!connection) return Promise.resolve(null);
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (onLate) connection.pending.set(id, onLate);
        else connection.pending.delete(id);
        resolve(null);
      }, timeoutMs);
      connection.pending.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      connection.socket.write(JSON.stringify({ id, ...body }) + '\n');
    });
  }

  private accept(socket: net.Socket): void {
    socket.setEncoding('utf8');
    let connection: ProbeConnection | null = null;
    let partial = '';
    socket.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        let message: Record<string, unknown>;
        try {
          message = JSON.parse(line);
        } catch {
          continue;
        }
        const hello = message.hello as { pid?: number } | undefined;
        if (!connection && hello && typeof hello.pid === 'number') {
          // Any Node process the target starts inherits NODE_OPTIONS and connects too; each is kept by its
          // pid and the harness asks the target's own pid.
          connection = { pid: hello.pid, socket, pending: new Map() };
          this.connections.set(hello.pid, connection);
          for (const waiter of this.waiters.filter((w) => w.pid === hello.pid)) {
            this.waiters.splice(this.waiters.indexOf(waiter), 1);
            waiter.resolve();
          }
        } else if (connection && typeof message.id === 'number') {
          connection.pending.get(message.id)?.(message);
          connection.pending.delete(message.id);
        }
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (!connection) return;
      if (this.connections.get(connection.pid) === connection) this.connections.delete(connection.pid);
      for (const settle of connection.pending.values()) settle({ error: 'the target closed the probe connection' });
      connection.pending.clear();
    });
  }
}
