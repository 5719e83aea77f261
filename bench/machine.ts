// The line every benchmark prints above its table, so each figure in BENCHMARKS.md carries its machine and date.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export function machine(): string {
  const model = execFileSync('lscpu', { encoding: 'utf8' }).match(/Model name:\s*(.+)/)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '); // at the end of the run
  return `${new Date().toISOString().slice(0, 10)}; nproc ${nproc}; ${model.trim()}; RAM ${(totalmem() / 2 ** 30).toFixed(1)} GiB; Node ${process.version}; load average ${load}`;
}
