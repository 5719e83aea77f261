// The harness's end of its watchdog (watchdog.mjs): started once, on first use, and told which target groups and
// which folders to clean up should this process die without doing it itself (SIGKILL, the OOM killer). It holds
// the write end of the watchdog's stdin; its death closes that pipe, which is the watchdog's signal.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

const WATCHDOG_PATH = fileURLToPath(new URL('./watchdog.mjs', import.meta.url));

let watchdog: ChildProcess | null = null;

function tell(line: string): void {
  if (!watchdog) {
    const { NODE_OPTIONS: _ignored, ...env } = process.env;
    // detached: a session of its own, so a Ctrl-C or a hang-up that ends the harness does not end it first.
    watchdog = spawn(process.execPath, [WATCHDOG_PATH], { detached: true, stdio: ['pipe', 'ignore', 'ignore'], env });
    watchdog.unref();
    // Never the reason the harness stays alive; and a watchdog that died is no reason for the harness to fail.
    (watchdog.stdin as unknown as Socket).unref();
    watchdog.stdin!.on('error', () => {});
    watchdog.on('error', () => {});
  }
  watchdog.stdin!.write(`${line}\n`);
}

/** A target now running in its own process group: SIGTERM, then SIGKILL after `graceMs`, should the harness die. */
export function watchTarget(pid: number, graceMs: number): void {
  tell(`target ${pid} ${Math.round(graceMs)}`);
}

export function targetEnded(pid: number): void {
  tell(`stopped ${pid}`);
}

/** A folder to remove should the harness die. */
export function removeAtDeath(folder: string): void {
  tell(`folder ${folder}`);
}

export function folderRemoved(folder: string): void {
  tell(`removed ${folder}`);
}
