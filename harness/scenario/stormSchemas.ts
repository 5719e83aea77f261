// The schema of the scenario's `load`: one entry per storm kind with its options, validated here where it is
// defined (as k6 validates an executor's options), and the request limits and executors every storm shares.
import { z } from 'zod';
import { GATEWAY_LIMITS } from '../target/gatewayLimits.ts';
import { duration, positiveDuration } from './fieldTypes.ts';

/**
 * Every storm's request limits (harness/storms/pacer.ts): a request unanswered after requestTimeout is an error;
 * operations due while maxInFlight are unanswered are skipped and counted as `skipped`.
 */
const stormLimits = {
  /** Default 30 s: a naive store rewriting a 100 MB sessions.json can take seconds per request; slow is not failed. */
  requestTimeout: duration.refine((seconds) => seconds >= 1, 'expected 1s or more (the load generator\'s shortest request timeout)').optional(),
  /** Default 64; a cron storm's default is at least two per job, so a thundering herd is never skipped. */
  maxInFlight: z.number().int().min(1, 'expected at least 1 request in flight').optional(),
};

const rate = z.number({ error: 'expected a rate: operations per second of scenario time' })
  .nonnegative({ error: 'a rate must be 0 or more operations per second' });
const burst = z.strictObject({ every: positiveDuration });

/**
 * How a storm drives its requests (harness/storms/executor.ts): `rate` operations per second whatever the target
 * answers (open loop), or `users` virtual users each sending its next request once its last one is answered or
 * timed out, after `thinkTime` (closed loop, scenario time). Exactly one of rate and users.
 */
const driven = {
  rate: rate.optional(),
  users: z.number({ error: 'expected a number of virtual users' }).int('expected a whole number of virtual users').min(1, 'expected at least 1 virtual user').optional(),
  thinkTime: duration.optional(),
};

function checkDriven(storm: { rate?: number; users?: number; thinkTime?: number; burst?: unknown; maxInFlight?: number }, ctx: z.RefinementCtx): void {
  if (storm.rate === undefined && storm.users === undefined) {
    ctx.addIssue({ code: 'custom', path: [], message: 'expected "rate" (operations per second, open loop) or "users" (virtual users, each waiting for its answer: closed loop)' });
  } else if (storm.rate !== undefined && storm.users !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['users'], message: 'give "rate" (open loop) or "users" (closed loop), not both' });
  } else if (storm.users === undefined) {
    if (storm.thinkTime !== undefined) ctx.addIssue({ code: 'custom', path: ['thinkTime'], message: 'thinkTime is the pause of a virtual user: it goes with "users", not "rate"' });
  } else {
    if (storm.burst !== undefined) ctx.addIssue({ code: 'custom', path: ['burst'], message: 'bursts pace a rate; with "users" each user sends when its last request is answered' });
    if (storm.maxInFlight !== undefined) ctx.addIssue({ code: 'custom', path: ['maxInFlight'], message: `a closed loop has at most "users" (${storm.users}) requests in flight; drop maxInFlight` });
  }
}

const subagentStorm = z.strictObject({
  kind: z.literal('subagents'),
  /** Spawn requests per second (scenario time), on average; or `users` (closed loop). */
  ...driven,
  /** Children each sub-agent spawns, and how many levels deep the tree goes (the gateway does the spawning). */
  fanout: z.number().int().min(0).max(GATEWAY_LIMITS.maxSpawnFanout).default(1),
  depth: z.number().int().min(1).max(GATEWAY_LIMITS.maxSpawnDepth).default(1),
  /** Send each period's spawns at once at its start instead of evenly spread. */
  burst: burst.optional(),
  ...stormLimits,
}).superRefine(checkDriven);

const cronStorm = z.strictObject({
  kind: z.literal('cron'),
  /** Jobs job-01..job-NN, each run once per interval. */
  jobs: z.number().int().min(1).max(GATEWAY_LIMITS.maxCronJobs),
  interval: positiveDuration,
  /** All jobs fire at the same instant once per interval, instead of spread across it. */
  thunderingHerd: z.boolean().default(false),
  ...stormLimits,
});

const chatStorm = z.strictObject({
  kind: z.literal('chat'),
  /** Human messages per second (scenario time); or `users` (closed loop). */
  ...driven,
  /** Messages a human session gets before the storm opens the next one. */
  messagesPerSession: z.number().int().min(1).default(5),
  channel: z.string().regex(GATEWAY_LIMITS.safeSegment, 'expected a channel name of lowercase letters, digits, ".", "_" or "-"').default('telegram'),
  ...stormLimits,
}).superRefine(checkDriven);

const httpStorm = z.strictObject({
  kind: z.literal('http'),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
  /** `{{n}}` (the operation's number) and `{{seed}}` are replaced in the path and the body. */
  path: z.string().startsWith('/', 'expected a path starting with /'),
  /** A string is sent as is; an object is sent as JSON. */
  body: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  headers: z.record(z.string(), z.string()).default({}),
  ...driven,
  burst: burst.optional(),
  /** Counts each 2xx under this operation kind as well as under `requests`. */
  op: z
    .string()
    .regex(/^[a-zA-Z][a-zA-Z0-9]*$/, 'expected an operation name such as writes')
    .refine((op) => !['requests', 'errors', 'skipped'].includes(op), 'requests, errors and skipped are counted already; name the operation')
    .optional(),
  ...stormLimits,
}).superRefine(checkDriven);

const STORMS = [subagentStorm, cronStorm, chatStorm, httpStorm] as const;
const STORM_KINDS = STORMS.map((member) => member.shape.kind.value);

export const storm = z.discriminatedUnion('kind', STORMS, {
  error: (issue) =>
    issue.code === 'invalid_union' && 'note' in issue && issue.note === 'No matching discriminator'
      ? `unknown storm kind ${JSON.stringify((issue.input as { kind?: unknown })?.kind)}; expected one of ${STORM_KINDS.join(', ')}`
      : undefined,
});
