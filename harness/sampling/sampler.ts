// Every sample interval, measures the target from outside (its process tree from /proc, or pidusage where there is
// none; state readings; what its target adapter can read, such as the gateway's /v1/stats or watched files) and
// inside (the probe), and appends one line to samples.jsonl at once, so a crash or a kill loses at most the sample
// in flight.
import { closeSync, openSync, writeSync } from 'node:fs';
import pidusage from 'pidusage';
import type { Phase, Sample, SampleEvent } from '../contracts/sample.ts';
import type { ProbeClient, ProbeFigures } from '../probe/probeClient.ts';
import type { StateSampler } from '../state/stateReadings.ts';
import type { TargetReadings } from '../target/targetAdapter.ts';
import { CpuMeter, type ProcessTreeTracker } from './processTree.ts';

/** Cumulative operation counts and the finished requests of the current window (harness/sampling/opCounter.ts). */
export interface OpSource {
  totals(): Record<string, number>;
  takeWindow(): Sample['window'];
}

export interface SamplerOptions {
  /** Path of samples.jsonl; lines are appended. */
  file: string;
  intervalMs: number;
  /** Date.now() at the run's start (for a resumed run, as if it had never stopped): sample times are seconds since then. */
  startedAtMs: number;
  /** The current target process; its pid changes on restart and is null while it is down. */
  target: () => { pid: number | null; baseUrl: string | null };
  probe: ProbeClient | null;
  /**
   * How often the probe runs a full collection before its reading (settled heap floor and RSS); 0 never. The
   * cadence is the scenario's `settleInterval` (docs/ARCHITECTURE.md, "Settled samples").
   */
  settleEveryMs?: number;
  /** A forced collection at every settled reading, saturated target or not (the scenario's `settleAlways`). */
  settleAlways?: boolean;
  /** What the target's adapter reads beyond every process's figures (docs/ARCHITECTURE.md, "Targets"). */
  readings?: TargetReadings;
  /**
   * The target's process tree (Linux), sampled as treeRssBytes; its reading of the main process gives rssBytes and
   * cpuPercent too. `onNewProcesses` hears of processes not seen before.
   */
  processTree?: ProcessTreeTracker;
  onNewProcesses?: () => void;
  /** The scenario's state readings, sampled as `state:<name>`. */
  state?: StateSampler;
  ops: OpSource;
  phase: () => Phase;
  onSample?: (sample: Sample) => void;
}

export class Sampler {
  private readonly fd: number;
  private pendingEvents: SampleEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private tick = 0;
  private stopped = false;
  /** Seconds since the start at which the next sample asks for a settled reading. */
  private nextSettleAtS = 0;
  /**
   * The lowest RSS since the last settled sample, the reading right after the probe's full collection included:
   * rssSettledBytes. RSS read at one moment carries whatever garbage and transient buffers that moment holds (the
   * naive gateway's swung 170 to 450 MB while it rewrote a 16 MB sessions.json); its low point per interval is
   * what the process cannot give back (docs/ARCHITECTURE.md, "Settled samples").
   */
  private rssLow = Infinity;
  /**
   * A probe reply that came after its sample was written (a large heap's full collection can pause the target
   * longer than a sample waits: OpenClaw's took 1.0-1.5 s): its figures go into the next sample.
   */
  private late: ProbeFigures | null = null;
  /** While a settle's reply is overdue, no other settle is asked for (until this time, in seconds since the start). */
  private settleAwaitedUntilS = 0;
  /** CPU share of the main process from the process tree's reading of its /proc stat. */
  private readonly cpu = new CpuMeter();
  /** Samples written so far. */
  count = 0;

  constructor(private readonly options: SamplerOptions) {
    this.fd = openSync(options.file, 'a');
    // The first tick is the first grid point after now: a resumed run (whose clock starts past 0) never writes a
    // sample at the time of the last one before it.
    this.tick = Math.floor(this.now() * 1000 / options.intervalMs);
  }

  /** Seconds since the run started. */
  now(): number {
    return (Date.now() - this.options.startedAtMs) / 1000;
  }

  /** Attaches an event (restart, snapshot, phase change...) to the next sample written. */
  addEvent(event: Omit<SampleEvent, 't'> & { t?: number }): void {
    this.pendingEvents.push({ ...event, t: event.t ?? round(this.now(), 3) });
  }

  start(): void {
    this.schedule();
  }

  /** Takes one last sample (carrying any pending events) and closes the file. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight;
    await this.takeSample();
    closeSync(this.fd);
  }

  // Ticks are due on a fixed grid from the run's start so samples do not drift; a sample that overruns (a target
  // blocked writing a heap snapshot) skips the ticks it missed rather than piling them up.
  private schedule(): void {
    if (this.stopped) return;
    const elapsed = Date.now() - this.options.startedAtMs;
    this.tick = Math.max(this.tick + 1, Math.ceil(elapsed / this.options.intervalMs));
    const delay = Math.max(0, this.tick * this.options.intervalMs - elapsed);
    this.timer = setTimeout(() => {
      this.inFlight = this.takeSample().finally(() => {
        this.inFlight = null;
        this.schedule();
      });
    }, delay);
  }

  // Due on its own grid, so a settled point lands every `settleEveryMs` whatever the sample interval.
  private settleDue(t: number): boolean {
    const everyS = (this.options.settleEveryMs ?? 0) / 1000;
    if (everyS <= 0 || t < this.nextSettleAtS) return false;
    this.nextSettleAtS = (Math.floor(t / everyS + 1e-6) + 1) * everyS;
    return true;
  }

  /** The main process's RSS and CPU, or null while it is down. */
  private async usage(pid: number | null, tree: ReturnType<ProcessTreeTracker['sample']> | undefined): Promise<{ memory: number; cpu: number } | null> {
    if (pid === null) return null;
    if (this.options.processTree) return tree ? this.cpu.usage(tree.main) : null;
    const usage = await pidusage(pid).catch(() => null);
    // A process always maps some pages: 0 bytes is one that has exited and is not yet reaped (pidusage reads its
    // /proc entry all the same), and a point of 0 would pull every fit and settled low down.
    return usage && usage.memory > 0 ? usage : null;
  }

  private async takeSample(): Promise<void> {
    const t = this.now();
    const phase = this.options.phase();
    const { pid, baseUrl } = this.options.target();
    // A reply slower than most of an interval is a blocked target: this sample goes without its figures, and they
    // come with the next one.
    const waitMs = Math.min(Math.max(this.options.intervalMs * 0.8, 200), 2_000);
    const settle = t >= this.settleAwaitedUntilS && this.settleDue(t);
    const tree = pid !== null ? this.options.processTree?.sample(pid, round(t, 3)) : null;
    const onLate = (figures: ProbeFigures): void => {
      this.late = this.late ? mergeLate(this.late, figures) : figures;
      // The overdue settled reading has come: the next one may be asked for.
      if (figures.rssAfterFullGcBytes !== undefined || figures.settleDeferred) this.settleAwaitedUntilS = 0;
    };
    // /proc/<pid>/stat is read once: the tree's reading of the main process gives its RSS and CPU (no tree: the
    // process is gone or exiting), and pidusage (which reads the same file) only where there is no tree to read.
    const [usage, fresh, own, state] = await Promise.all([
      this.usage(pid, tree),
      pid !== null && this.options.probe ? this.options.probe.sample(pid, waitMs, settle && this.options.settleAlways ? 'always' : settle, onLate) : null,
      this.options.readings?.read(baseUrl, waitMs),
      this.options.state?.read(baseUrl, waitMs),
    ]);
    const late = this.late;
    this.late = null;
    const figures = late && fresh ? mergeLate(late, fresh) : (fresh ?? late);
    // Asked, connected, not answered yet: the settled reading is on its way and closes the interval when it comes.
    const overdue = settle && !fresh && pid !== null && this.options.probe?.isConnected(pid) === true;
    // Only a sample that asked for a settled reading starts (or ends) the wait for one: the samples between keep it.
    if (settle) this.settleAwaitedUntilS = overdue ? t + 30 : 0;
    const metrics: Record<string, number> = {};
    if (usage) {
      metrics.rssBytes = usage.memory;
      metrics.cpuPercent = round(usage.cpu, 2);
      this.rssLow = Math.min(this.rssLow, usage.memory);
    }
    if (tree) metrics.treeRssBytes = tree.treeRssBytes;
    if (figures) {
      const { settleDeferred, rssAfterFullGcBytes, ...measured } = figures;
      Object.assign(metrics, measured);
      if (rssAfterFullGcBytes !== undefined) this.rssLow = Math.min(this.rssLow, rssAfterFullGcBytes);
      // The probe declines to settle a saturated target: ask again at the next sample. The sample says so, for the
      // report and bench:probe.
      if (settleDeferred) {
        this.nextSettleAtS = 0;
        metrics.settlesDeferred = 1;
      }
    }
    // A settled sample closes the interval (for a target without the probe, so does a sample that was due).
    const settled = (settle && !overdue && !figures?.settleDeferred) || late?.rssAfterFullGcBytes !== undefined;
    if (settled && Number.isFinite(this.rssLow)) {
      metrics.rssSettledBytes = this.rssLow;
      this.rssLow = Infinity;
      // The part no heap snapshot of the main thread shows (docs/ARCHITECTURE.md, "Outside the main heap").
      if (metrics.heapPhysicalBytes !== undefined) metrics.rssOutsideHeapBytes = metrics.rssSettledBytes - metrics.heapPhysicalBytes;
    }
    Object.assign(metrics, own?.metrics, state);
    metrics.harnessRssBytes = process.memoryUsage.rss();
    const sample: Sample = {
      t: round(t, 3),
      phase,
      metrics,
      ops: this.options.ops.totals(),
      window: this.options.ops.takeWindow(),
    };
    if (own?.sessions) sample.sessions = own.sessions;
    if (this.pendingEvents.length > 0) {
      sample.events = this.pendingEvents;
      this.pendingEvents = [];
    }
    writeSync(this.fd, JSON.stringify(sample) + '\n');
    this.count++;
    if (tree?.newProcesses) this.options.onNewProcesses?.();
    this.options.onSample?.(sample);
  }
}

/**
 * A late reply's figures joined with the next window's: counts add up, floors take the lower, and the newer
 * reading wins for everything else.
 */
function mergeLate(earlier: ProbeFigures, later: ProbeFigures): ProbeFigures {
  const merged: ProbeFigures = { ...earlier, ...later, settleDeferred: later.settleDeferred };
  if (merged.settleDeferred === undefined) delete merged.settleDeferred;
  for (const key of ['gcCount', 'gcPauseMs', 'settlePauseMs', 'settlesByTarget', 'workersStarted'] as const) {
    if (earlier[key] !== undefined || later[key] !== undefined) merged[key] = (earlier[key] ?? 0) + (later[key] ?? 0);
  }
  for (const key of ['heapFloorBytes', 'heapAfterGcBytes', 'rssAfterFullGcBytes', 'workerHeapFloorBytes'] as const) {
    const lows = [earlier[key], later[key]].filter((v): v is number => v !== undefined);
    if (lows.length > 0) merged[key] = Math.min(...lows);
  }
  return merged;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
