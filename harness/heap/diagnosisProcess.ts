// memlab's reading of a run's heap snapshots, in a child process (harness/heap/diagnosisChild.mjs). Read in the
// harness itself, a large snapshot (OpenClaw's 250 MB took minutes) kept its event loop busy and Ctrl-C unheard
// until memlab was done; this way an interruption kills the reader at once and the run keeps what it has.
import { fork, type ChildProcess } from 'node:child_process';
// Types only: the diagnosis code (and memlab) loads in the child, not in every run that may never diagnose.
import type { DiagnoseOptions, HeapDiagnosis } from './diagnose.ts';

/** The diagnosis was stopped by the caller's signal (Ctrl-C): nothing was read. */
export class DiagnosisInterrupted extends Error {}

/** The reading was still going at the caller's deadline (the gate's time limit) and was stopped: nothing was read. */
export class DiagnosisCutShort extends Error {}

type Answer = { ready: true } | { diagnosis: HeapDiagnosis } | { error: string };

/** One reader process for one run: started early so memlab is imported by the time the snapshots are written. */
export class SnapshotReader {
  private readonly child: ChildProcess;
  private readonly ready: Promise<void>;
  private readonly answer: Promise<Answer>;
  private stderr = '';
  // A harness that quits at once (a second Ctrl-C) takes the reader with it.
  private readonly kill = () => this.child.kill('SIGKILL');

  constructor(workDir: string) {
    // No loader or test-runner flags of the harness's own: the child registers tsx itself.
    this.child = fork(new URL('./diagnosisChild.mjs', import.meta.url), [workDir], { execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr = (this.stderr + chunk).slice(-2000)));
    process.once('exit', this.kill);
    const ended = new Promise<never>((_, reject) => {
      this.child.on('error', reject);
      this.child.on('exit', (code, signal) => {
        process.off('exit', this.kill);
        const lastLine = this.stderr.trim().split('\n').at(-1);
        reject(new Error(`memlab's process ended (${signal ?? `exit code ${code}`}) without an answer${lastLine ? `: ${lastLine}` : ''}`));
      });
    });
    ended.catch(() => {});
    const next = () => Promise.race([new Promise<Answer>((resolve) => this.child.once('message', resolve)), ended]);
    this.ready = next().then(() => undefined);
    this.answer = this.ready.then(next);
    this.answer.catch(() => {});
  }

  /** Starts reading a snapshot just written, while the next one is awaited. */
  add(snapshotPath: string): void {
    this.ready.then(() => this.child.send({ add: snapshotPath }), () => {});
  }

  /**
   * What grew between the snapshots; rejects with DiagnosisInterrupted when `signal` aborts first, and with
   * DiagnosisCutShort when memlab is still reading at `deadlineMs` (a Date.now() time). Either ends the reader.
   * `stillReading` is told the seconds so far every `everyMs` while memlab reads: a large snapshot takes minutes.
   */
  async read(
    snapshotPaths: string[],
    options: DiagnoseOptions,
    signal?: AbortSignal,
    deadlineMs?: number,
    stillReading?: { everyMs: number; tell: (seconds: number) => void },
  ): Promise<HeapDiagnosis> {
    let timer: NodeJS.Timeout | undefined;
    const began = Date.now();
    const tell = () => stillReading?.tell(Math.round((Date.now() - began) / 1000));
    const heartbeat = stillReading && setInterval(tell, stillReading.everyMs).unref();
    const stopped = new Promise<never>((_, reject) => {
      const stop = (err: Error) => {
        this.close();
        reject(err);
      };
      const onAbort = () => stop(new DiagnosisInterrupted('interrupted while memlab read the snapshots'));
      if (signal?.aborted) onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      if (deadlineMs !== undefined) {
        timer = setTimeout(() => stop(new DiagnosisCutShort('memlab was still reading the snapshots at the time limit')), Math.max(0, deadlineMs - Date.now()));
      }
      this.answer.finally(() => signal?.removeEventListener('abort', onAbort)).catch(() => {});
    });
    stopped.catch(() => {});
    try {
      await Promise.race([this.ready, stopped]);
      this.child.send({ snapshotPaths, options });
      const answer = await Promise.race([this.answer, stopped]);
      if ('diagnosis' in answer) return answer.diagnosis;
      throw new Error('error' in answer ? answer.error : 'memlab answered twice that it was ready');
    } finally {
      clearTimeout(timer);
      clearInterval(heartbeat);
    }
  }

  /** Ends the reader, whatever it is doing (a run with nothing to read, or an interrupted one). */
  close(): void {
    this.kill();
  }
}
