// Whether a process we started is still running: used to clean up after a dead harness (`run --resume`) and by
// the tests that prove no child process is left behind.
import { STAT, statFields } from './procfs.ts';

/** Alive and not a zombie: a killed orphan stays a zombie until init reaps it, and that counts as gone. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  const fields = statFields(pid);
  return fields !== null && fields[STAT.state] !== 'Z';
}
