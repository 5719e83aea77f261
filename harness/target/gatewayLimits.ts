// The embedded gateway's own bounds and fixes, part of its target adapter (docs/ARCHITECTURE.md, "Targets"), so a
// scenario is refused at load time rather than answered 400 on every request. The one module of harness/ that
// imports src/; a module of its own so that the scenario schema, and the public types built from it, reach only
// these constants, not the gateway's process and HTTP code.
import { MAX_CRON_JOBS } from '../../src/cron/scheduler.ts';
import { MAX_SPAWN_DEPTH, MAX_SPAWN_FANOUT } from '../../src/sessions/work.ts';
import { SEGMENT } from '../../src/keys.ts';
import { ALL_FIXES, type Fix } from '../../src/store/sessionStore.ts';

// --fixes as the gateway reads it: the scenario's defaults and the command line's overrides follow the gateway.
export { defaultFixes as gatewayDefaultFixes, parseFixes as parseGatewayFixes } from '../../src/store/fixes.ts';

export type GatewayFix = Fix;

export const GATEWAY_LIMITS = {
  maxCronJobs: MAX_CRON_JOBS,
  maxSpawnDepth: MAX_SPAWN_DEPTH,
  maxSpawnFanout: MAX_SPAWN_FANOUT,
  /** The dedup store's fixes; a dedup gateway runs with all of them unless told otherwise. */
  fixes: ALL_FIXES,
  /** A key segment the gateway accepts (a chat channel's name, a peer, an id). */
  safeSegment: SEGMENT,
} as const;
