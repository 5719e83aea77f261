// Simulated agent work for sub-agents and cron runs: each writes transcript lines over a delay (divided by
// --time-scale) and completes by itself; a sub-agent tree fans out children level by level. Shutdown and
// DELETE cancel the work, and a restart fails whatever a previous process left running.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { cronJobKey, cronRunKey, subagentDepth, subagentSessionKey } from '../keys.ts';
import type { SessionEntry, SessionStore } from '../store/sessionStore.ts';
import { isLive, transitionPatch } from './lifecycle.ts';
import { SessionEndedError, SessionNotFoundError, type SessionWriter, type TranscriptMessageInput } from './sessionWriter.ts';

export const MAX_SPAWN_DEPTH = 4;
export const MAX_SPAWN_FANOUT = 8;
/** Simulated duration of one sub-agent and of one cron run, before --time-scale. */
export const SUBAGENT_WORK_MS = 4000;
export const CRON_RUN_WORK_MS = 2000;

export interface SpawnPlan {
  /** Levels of sub-agents this spawn creates, itself included (1 = no children). */
  depth: number;
  /** Children each sub-agent spawns while levels remain. */
  fanout: number;
}

interface Job {
  abort: AbortController;
  done: Promise<void>;
}

// Turns shaped like an agent run (task, reasoning, tool call, result), a few hundred bytes to a few KB each.
function subagentTurns(task: string, key: string): TranscriptMessageInput[] {
  return [
    { role: 'user', text: task },
    { role: 'assistant', text: `Planning ${task}. `.repeat(12) },
    { role: 'toolResult', text: `{"tool":"exec","session":"${key}","output":"${'ok '.repeat(300)}"}` },
    { role: 'assistant', text: `Done: ${task}. `.repeat(20) },
  ];
}

function cronTurns(jobId: string): TranscriptMessageInput[] {
  return [
    { role: 'user', text: `[cron ${jobId}] scheduled run` },
    { role: 'toolResult', text: `{"tool":"fetch","job":"${jobId}","items":${JSON.stringify(Array.from({ length: 40 }, (_, i) => `item-${i}`))}}` },
    { role: 'assistant', text: `Summary for ${jobId}: nothing needs attention. `.repeat(8) },
  ];
}

export class WorkRunner {
  private readonly jobs = new Map<string, Job>();
  private stopping = false;

  constructor(
    private readonly writer: SessionWriter,
    private readonly store: SessionStore,
    private readonly timeScale: number,
    private readonly log: (line: string) => void,
  ) {}

  /** Sub-agents and cron runs whose work is under way in this process. */
  get running(): number {
    return this.jobs.size;
  }

  /** Creates the sub-agent (durable on return) under a live parent and starts its work. */
  async spawnSubagent(parentKey: string, task: string, plan: SpawnPlan): Promise<SessionEntry> {
    const parent = await this.store.get(parentKey);
    if (!parent) throw new SessionNotFoundError(parentKey);
    if (!isLive(parent.status)) throw new SessionEndedError(parentKey, parent.status);
    const key = subagentSessionKey(parentKey);
    const entry = await this.writer.open({ key, kind: 'subagent', parentKey, depth: subagentDepth(key), task });
    this.start(key, (signal) => this.runSubagent(entry, plan, signal));
    return entry;
  }

  /** Writes the job's session if it is new and a run session under it (durable on return), then starts the run. */
  async runCronJob(jobId: string): Promise<SessionEntry> {
    const jobKey = cronJobKey(jobId);
    const job = await this.writer.openIfAbsent({ key: jobKey, kind: 'cron', jobId });
    if (job.created) await this.writer.transition(jobKey, 'active');
    const runId = randomUUID();
    const key = cronRunKey(jobId, runId);
    const entry = await this.writer.open({ key, kind: 'cronRun', parentKey: jobKey, jobId, runId });
    this.start(key, (signal) => this.play(key, cronTurns(jobId), CRON_RUN_WORK_MS, signal));
    return entry;
  }

  /** Stops this session's work, if any, and waits until it no longer writes. */
  async cancel(key: string): Promise<void> {
    const job = this.jobs.get(key);
    if (!job) return;
    job.abort.abort();
    await job.done;
    await this.writer.settled(key);
  }

  /** Stops all work (at shutdown); sessions left live are failed by failInterrupted() at the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.jobs.keys()].map((key) => this.cancel(key)));
  }

  /** At start-up: sub-agents and cron runs a previous process left created or active can never finish, so fail them. */
  async failInterrupted(): Promise<number> {
    const stranded = this.store
      .list()
      .filter((entry) => (entry.kind === 'subagent' || entry.kind === 'cronRun') && isLive(entry.status))
      .map((entry) => entry.key);
    const now = Date.now();
    let failed = 0;
    // One write for them all: one commit each made start-up grow with interrupted runs times store size.
    await this.store.updateMany(stranded, (entry) => {
      // A SIGKILL between writing an entry and writing the index that lists it leaves the index behind: the entry
      // may have ended already. Then the entry is the truth, and writing it again brings the index level.
      if (!isLive(entry.status)) return { status: entry.status, updatedAt: entry.updatedAt };
      failed++;
      return transitionPatch(entry, 'failed', now);
    });
    return failed;
  }

  private start(key: string, work: (signal: AbortSignal) => Promise<void>): void {
    if (this.stopping) return;
    const abort = new AbortController();
    const done = work(abort.signal)
      .catch(async (error: unknown) => {
        if (abort.signal.aborted) return;
        this.log(`work for ${key} failed: ${(error as Error).message}`);
        await this.writer.transition(key, 'failed').catch(() => undefined);
      })
      .finally(() => this.jobs.delete(key));
    this.jobs.set(key, { abort, done });
  }

  private async runSubagent(entry: SessionEntry, plan: SpawnPlan, signal: AbortSignal): Promise<void> {
    const turns = subagentTurns(entry.task ?? 'task', entry.key);
    await this.play(entry.key, turns, SUBAGENT_WORK_MS, signal, async () => {
      if (plan.depth <= 1) return;
      const childPlan = { depth: plan.depth - 1, fanout: plan.fanout };
      for (let i = 1; i <= plan.fanout && !signal.aborted; i++) {
        await this.spawnSubagent(entry.key, `${entry.task ?? 'task'} / part ${i}`, childPlan);
      }
    });
  }

  /** Activates the session, writes one turn per step, spawns children after the first, then completes it. */
  private async play(
    key: string,
    turns: TranscriptMessageInput[],
    durationMs: number,
    signal: AbortSignal,
    afterFirstTurn?: () => Promise<void>,
  ): Promise<void> {
    const stepMs = durationMs / this.timeScale / turns.length;
    for (const [i, turn] of turns.entries()) {
      await sleep(stepMs, undefined, { signal });
      await this.writer.append(key, [turn]);
      if (i === 0 && afterFirstTurn) await afterFirstTurn();
    }
    signal.throwIfAborted();
    await this.writer.transition(key, 'completed');
  }
}
