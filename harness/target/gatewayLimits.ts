// The embedded gateway's own bounds and fixes, part of its target adapter (docs/ARCHITECTURE.md, "Targets"), so a
// scenario is refused at load time rather than answered 400 on every request. The one module of harness/ that
// imports src/; a module of its own so that the scenario schema, and the public types built from it, reach only
// these constants, not the gateway's process and HTTP code.
import { MAX_CRON_JOBS } from '../../src/cron/scheduler.ts';
import { MAX_SPAWN_DEPTH, MAX_SPAWN_FANOUT } from '../../src/sessions/work.ts';
import { ALL_FIXES, type Fix } from '../../src/store/sessionStore.ts';

export type GatewayFix = Fix;

export const GATEWAY_LIMITS = {
  maxCronJobs: MAX_CRON_JOBS,
  maxSpawnDepth: MAX_SPAWN_DEPTH,
  maxSpawnFanout: MAX_SPAWN_FANOUT,
  /** The dedup store's fixes; a dedup gateway runs with all of them unless told otherwise. */
  fixes: ALL_FIXES,
} as const;
