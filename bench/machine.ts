// The line every benchmark prints above its table, so each figure in BENCHMARKS.md carries its machine and date.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';

/** The load averages over 1, 5 and 15 minutes, as /proc/loadavg and uptime print them. */
export function loadAverage(): string {
  return loadavg().map((load) => load.toFixed(2)).join(' ');
}

/** The machine's date, cores, CPU, memory and Node: read before a benchmark pins itself to some cores (nproc). */
export function machineFacts(): string {
  const model = execFileSync('lscpu', { encoding: 'utf8' }).match(/Model name:\s*(.+)/)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  return `${new Date().toISOString().slice(0, 10)}; nproc ${nproc}; ${model.trim()}; RAM ${(totalmem() / 2 ** 30).toFixed(1)} GiB; Node ${process.version}`;
}

/** The machine's facts and its load: by default the load average now, at the end of the run. */
export function machine(load = loadAverage(), facts = machineFacts()): string {
  return `${facts}; load average ${load}`;
}
