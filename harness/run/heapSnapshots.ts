// Heap snapshots of a run and memlab's reading of them (docs/ARCHITECTURE.md, "Diagnosis after measurement"): a
// scenario's `snapshot` event, and the diagnosis phase after the measured window when the snapshot policy gives a
// reason. Snapshots are never taken inside the measured window: writing one blocks the target for seconds.
import { basename, join } from 'node:path';
import { analyzeSamples } from '../analysis/analyze.ts';
import type { MetricSummary, Summary } from '../contracts/summary.ts';
import { DiagnosisCutShort, DiagnosisInterrupted, SnapshotReader } from '../heap/diagnosisProcess.ts';
import { growingMemory, planDiagnosis, snapshotsOfOneProcess, type SnapshotMode } from '../heap/snapshotPlan.ts';
import { cutShort, type RunState } from './runState.ts';

/** The snapshot policy a command passes in. */
export interface SnapshotPolicy {
  /** `auto` (default) when `diagnoseWhen` gives a reason, `always` (3), N, or `never`. */
  snapshots?: SnapshotMode;
  /** Reasons to diagnose, from the measured window's metrics (default: memory growing by more than matters). */
  diagnoseWhen?: (metrics: Record<string, MetricSummary>) => string[];
  /** Ctrl-C: stops memlab's reading of the snapshots at once. */
  signal?: AbortSignal;
  /**
   * When the diagnosis must be over (a Date.now() time) and what set it (`gate`'s time limit): a phase whose
   * snapshots cannot all be taken by then is not begun, and a reading still going then is stopped. The measured
   * window is never cut; only the diagnosis after it.
   */
  deadline?: { atMs: number; what: string };
}

const SNAPSHOT_TIMEOUT_MS = 120_000;
/**
 * The least a diagnosis needs besides its spacing: one snapshot's writing and memlab's reading of the last one. For
 * a naive ci-gate gateway on 2 cores, 6-7 s: the target blocked about 2.3 s writing 20 MB, then memlab's parse of
 * it 2.9 s and the duplicate census 1.0 s (BENCHMARKS.md, the CI gate). A phase, or a further snapshot, that would
 * leave less before its deadline is not begun: its snapshots would disturb the target and be read by nobody.
 */
const LEAST_DIAGNOSIS_MS = 7_000;

/**
 * How often a reading still going is noted: memlab took nine to fifteen minutes over OpenClaw's two 250 MB
 * snapshots on 2 cores (BENCHMARKS.md, the OpenClaw example), and a run that says nothing that long looks hung.
 */
const READING_NOTE_EVERY_MS = 60_000;

export class HeapSnapshots {
  private readonly taken: Array<{ file: string; pid: number; heapUsedBytes: number | null }> = [];
  private reader: SnapshotReader | null = null;
  private missedBecause: string | null = null;

  constructor(
    private readonly run: RunState,
    private readonly policy: SnapshotPolicy,
  ) {}

  /** Why a diagnosis the run had reason for was not begun or not finished (its deadline), or null. */
  missed(): string | null {
    return this.missedBecause;
  }

  /** The files written so far, oldest first. */
  files(): string[] {
    return this.taken.map((s) => s.file);
  }

  /**
   * After the measured window, under the same load: heap snapshots of one process for memlab, when the window's
   * analysis gives a reason (or the mode asks for them regardless). Its samples are marked `diagnosis`, which the
   * analysis leaves out, so the verdicts are those of the window alone, snapshots or not.
   */
  async diagnosisPhase(): Promise<void> {
    const { run } = this;
    const mode = this.policy.snapshots ?? 'auto';
    if (mode === 'never') return;
    const metrics = analyzeSamples(run.samples, { warmupS: run.scenario.warmup });
    const reasons = (this.policy.diagnoseWhen ?? growingMemory)(metrics);
    const measuredS = (run.measuredEndS ?? 0) - Math.max(run.scenario.warmup, run.resumeAtS);
    const plan = planDiagnosis(mode, reasons, measuredS);
    if (!plan) return;
    const { deadline } = this.policy;
    // Whether `aheadMs` more, then one snapshot and memlab's reading of it, end by the deadline.
    const fits = (aheadMs: number) => !deadline || Date.now() + aheadMs + LEAST_DIAGNOSIS_MS <= deadline.atMs;
    if (deadline && !fits((plan.count - 1) * plan.spacingS * 1000)) {
      const left = Math.max(0, (deadline.atMs - Date.now()) / 1000);
      this.miss(`not begun: ${plan.count} heap snapshots ${Math.round(plan.spacingS)} s apart and memlab's reading would not end within ${deadline.what} (${left.toFixed(1)} s left)`);
      return;
    }
    // memlab takes seconds to import (more on a loaded machine): its reader loads it while the snapshots are taken,
    // if the target has the probe to take them.
    if (this.probedPid() !== null) this.reader = new SnapshotReader(run.runDir);
    run.stage = 'diagnosis';
    run.sampler?.addEvent({ type: 'phase', detail: 'diagnosis' });
    const why = reasons.length > 0 ? reasons.join(', ') : `--snapshots ${mode}`;
    run.note(`measurement over; diagnosis: ${plan.count} heap snapshots ${Math.round(plan.spacingS)} s apart under the same load (${why})`);
    for (let i = 0; i < plan.count; i++) {
      // In short slices, so Ctrl-C or a crash ends the phase at once.
      const nextAt = Date.now() + (i > 0 ? plan.spacingS * 1000 : 0);
      while (Date.now() < nextAt && !cutShort(run)) await delay(Math.min(250, nextAt - Date.now()));
      if (cutShort(run)) return;
      if (deadline && !fits(0)) {
        this.miss(`stopped after ${i} of ${plan.count} heap snapshots: the next and memlab's reading would not end within ${deadline.what}`);
        return;
      }
      await this.take();
    }
  }

  async take(): Promise<void> {
    const { run } = this;
    const { sampler, probe } = run;
    const pid = this.probedPid();
    if (pid === null) {
      sampler?.addEvent({ type: 'snapshot', detail: 'skipped: the target has no probe (not a Node process?)' });
      run.note('heap snapshot skipped: the target has no probe');
      return;
    }
    const t = sampler ? Math.round(sampler.now()) : 0;
    const number = (run.resume?.snapshotsBefore ?? 0) + this.taken.length + 1;
    const file = join(run.runDir, `heap-${String(number).padStart(2, '0')}-${t}s.heapsnapshot`);
    const began = sampler?.now();
    let durationMs: number;
    let heapUsedBytes: number | null;
    try {
      ({ durationMs, heapUsedBytes } = await probe.snapshot(pid, file, SNAPSHOT_TIMEOUT_MS));
    } catch (err) {
      // A snapshot that fails (the target died meanwhile, a full disk) costs the run its snapshot, not the run.
      sampler?.addEvent({ type: 'snapshot', t: began, detail: `failed: ${(err as Error).message}` });
      run.note(`heap snapshot failed: ${(err as Error).message}`);
      return;
    }
    this.taken.push({ file, pid, heapUsedBytes });
    this.reader?.add(file);
    // Marked at the time it began, with how long the target's event loop was blocked writing it.
    sampler?.addEvent({ type: 'snapshot', t: began, durationMs: Math.round(durationMs), detail: basename(file) });
    run.note(`heap snapshot ${basename(file)} written; it blocked the target for ${Math.round(durationMs)} ms`);
  }

  private miss(why: string): void {
    this.missedBecause = why;
    this.run.sampler?.addEvent({ type: 'phase', detail: `diagnosis ${why}` });
    this.run.note(`heap diagnosis ${why}`);
  }

  /** The target's pid when its probe is connected (a snapshot can be taken), else null. */
  private probedPid(): number | null {
    const { pid } = this.run.target;
    return pid !== null && this.run.probe.isConnected(pid) ? pid : null;
  }

  /** memlab's reading of the snapshots of one process, or null; a diagnosis that fails is noted, never thrown. */
  async read(): Promise<Summary['heap'] | null> {
    const { taken, run } = this;
    const diagnosable = snapshotsOfOneProcess(taken);
    if (diagnosable.length < 2) {
      this.reader?.close();
      return null;
    }
    this.reader ??= new SnapshotReader(run.runDir);
    run.note(`reading ${diagnosable.length} heap snapshots with memlab to see what grew`);
    const heapAt = (file: string) => taken.find((s) => s.file === file)?.heapUsedBytes ?? null;
    const [firstHeap, lastHeap] = [heapAt(diagnosable[0]), heapAt(diagnosable[diagnosable.length - 1])];
    try {
      const heap = await this.reader.read(diagnosable, {
        workDir: run.runDir,
        ...(firstHeap !== null && lastHeap !== null ? { heapGrowthBytes: lastHeap - firstHeap } : {}),
      }, this.policy.signal, this.policy.deadline?.atMs, {
        everyMs: READING_NOTE_EVERY_MS,
        tell: (seconds) => run.note(`memlab is still reading the heap snapshots (${seconds} s so far; Ctrl-C stops it, keeping them)`),
      });
      const top = heap.grew[0];
      run.note(top ? `what grew most: ${top.name}, ${top.countFirst} -> ${top.countLast} objects` : 'nothing that grew between the snapshots explains the growth');
      return heap;
    } catch (err) {
      if (err instanceof DiagnosisCutShort) {
        this.miss(`stopped: ${err.message} (${this.policy.deadline?.what}); the snapshots are kept in the run folder`);
        return null;
      }
      if (err instanceof DiagnosisInterrupted) {
        run.interrupted = true;
        run.note(`heap diagnosis ${err.message}: the samples and the snapshots are kept`);
        return null;
      }
      // A diagnosis that fails costs the run its "what grew", not its samples and verdicts.
      run.note(`heap diagnosis failed: ${(err as Error).message}`);
      return null;
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
