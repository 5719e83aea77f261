// Picks how a storm drives its requests, by what its scenario entry names: `rate` is open loop (pacer.ts, requests
// at a rate whatever the target's answers), `users` is closed loop (closedLoop.ts, each virtual user waiting for
// its answer). The scenario schema (harness/scenario/stormSchemas.ts) lets a storm name exactly one of them.
import type { StormRequest } from './autocannonBatch.ts';
import { startClosedLoop } from './closedLoop.ts';
import { startPacer } from './pacer.ts';
import { scheduleFor } from './schedule.ts';
import type { StormContext, StormHandle } from './storm.ts';

/** The fields of a storm's scenario entry that say how its load is driven. */
export interface ExecutorSpec {
  rate?: number;
  burst?: { every: number };
  maxInFlight?: number;
  users?: number;
  thinkTime?: number;
  requestTimeout?: number;
}

export function startExecutor(ctx: StormContext, spec: ExecutorSpec, next: (n: number) => StormRequest | null): StormHandle {
  if (spec.users !== undefined) {
    return startClosedLoop({ ctx, users: spec.users, thinkTimeS: spec.thinkTime ?? 0, next, requestTimeoutS: spec.requestTimeout });
  }
  return startPacer({
    ctx,
    schedule: scheduleFor(spec.rate ?? 0, spec.burst?.every),
    next,
    maxInFlight: spec.maxInFlight,
    requestTimeoutS: spec.requestTimeout,
  });
}
