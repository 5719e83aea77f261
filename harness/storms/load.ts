// Runs a scenario's storms together on one timeline: started at once, paused and resumed together (a restarted
// target's new address is handed to every storm on resume), and stopped together.
import type { StormSpec } from '../scenario/schema.ts';
import { chatStorm } from './chat.ts';
import { cronStorm } from './cron.ts';
import { httpStorm } from './http.ts';
import type { Storm, StormContext, StormHandle } from './storm.ts';
import { StormTally } from './stormTally.ts';
import { subagentStorm } from './subagents.ts';

export interface LoadHandle {
  pause(): void;
  /** `baseUrl`: the target's address after a restart, when it changed. */
  resume(baseUrl?: string): void;
  /** Resolves once every storm has stopped, with no socket or timer left behind. */
  stop(): Promise<void>;
  readonly paused: boolean;
  /** One per storm, in the scenario's order: what its load did. */
  readonly tallies: StormTally[];
}

/** What every storm shares; each gets its own tally besides. */
export interface LoadContext extends Omit<StormContext, 'tally'> {
  /** Seconds into the measured window now, or null outside it (see StormTally). */
  measuredS?: () => number | null;
}

export function stormFor(spec: StormSpec): Storm {
  switch (spec.kind) {
    case 'subagents':
      return subagentStorm(spec);
    case 'cron':
      return cronStorm(spec);
    case 'chat':
      return chatStorm(spec);
    case 'http':
      return httpStorm(spec);
  }
}

/** Starts every storm; if one cannot start (its setup request failed), the others are stopped and it throws. */
export async function startLoad(specs: StormSpec[], ctx: LoadContext): Promise<LoadHandle> {
  const { measuredS, ...shared } = ctx;
  // Storms read the address from this object at every batch, so resume(baseUrl) reaches all of them.
  const live = { ...shared };
  const tallies = specs.map(() => new StormTally(measuredS));
  const contexts: StormContext[] = tallies.map((tally) => ({
    get baseUrl() {
      return live.baseUrl;
    },
    seed: live.seed,
    timeScale: live.timeScale,
    opCounter: live.opCounter,
    tally,
  }));
  const started = await Promise.allSettled(specs.map((spec, i) => stormFor(spec).start(contexts[i])));
  const handles = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.findIndex((s) => s.status === 'rejected');
  if (failed >= 0) {
    await Promise.all(handles.map((handle) => handle.stop()));
    const reason = (started[failed] as PromiseRejectedResult).reason as Error;
    throw new Error(`load[${failed}] (${specs[failed].kind}) could not start: ${reason.message}`);
  }
  let paused = false;
  return {
    tallies,
    get paused() {
      return paused;
    },
    pause() {
      paused = true;
      for (const handle of handles) handle.pause();
    },
    resume(baseUrl?: string) {
      if (baseUrl !== undefined) live.baseUrl = baseUrl;
      paused = false;
      for (const handle of handles) handle.resume();
    },
    async stop() {
      await Promise.all(handles.map((handle: StormHandle) => handle.stop()));
    },
  };
}
