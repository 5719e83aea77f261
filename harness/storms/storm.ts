// The one small interface every storm implements, so load.ts can start, pause and stop any kind of load alike.
import type { OpCounter } from '../sampling/opCounter.ts';
import type { StormTally } from './stormTally.ts';

export interface StormContext {
  /** Read at every batch, so a target restarted on a new port gets the load once it is resumed. */
  baseUrl: string;
  seed: number;
  /** Storm rates and intervals are in scenario time; this many scenario seconds pass per wall-clock second. */
  timeScale: number;
  opCounter: OpCounter;
  /** This storm's own counts (requests, errors and their causes, skipped), which judge whether its load failed. */
  tally: StormTally;
}

export interface StormHandle {
  /** No new operations start; those in flight finish and are counted. */
  pause(): void;
  /** Continues the schedule where it paused (paused time does not count). */
  resume(): void;
  /** Stops at once: in-flight requests are abandoned, and every socket and timer is gone when this resolves. */
  stop(): Promise<void>;
}

export interface Storm {
  readonly kind: string;
  /** Resolves once the storm runs (after any setup request, such as a sub-agent storm's parent session). */
  start(ctx: StormContext): Promise<StormHandle>;
}
