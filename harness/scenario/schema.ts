// The scenario file's schema: every field, its default and what a bad value is told, as zod types, and the types
// the rest of the harness reads a validated scenario as. Pure; loading files is loadScenario.ts's.
import { z } from 'zod';
import type { StateSpec } from '../state/stateReadings.ts';
import { GATEWAY_LIMITS, type GatewayFix } from '../target/gatewayTarget.ts';
import { isHttpUrl } from '../target/httpUrl.ts';
import { budgetableMetrics } from '../analysis/metricCatalogue.ts';
import { parseDuration } from './duration.ts';

export const STORM_KINDS = ['subagents', 'cron', 'chat', 'http'] as const;
export const EVENT_TYPES = ['restart', 'pause', 'resume', 'snapshot'] as const;
/**
 * Metrics a budget may name (the metric catalogue's), besides `file:<label>` for a command target's watched files and
 * `state:<name>` for the scenario's state readings.
 */
export const BUDGET_METRICS = budgetableMetrics();
const SAFE_SEGMENT = /^[a-z0-9][a-z0-9._-]{0,127}$/;
/** A watched file's label or a state reading's name: it becomes part of a metric's name. */
const LABEL = /^[A-Za-z0-9_.-]+$/;

/** A record whose bad key is refused with the key's own message (zod's own says only "Invalid key in record"). */
function keyedRecord<V extends z.ZodType>(key: z.ZodString, value: V) {
  return z.record(key, value, { error: (issue) => (issue.code === 'invalid_key' ? issue.issues?.[0]?.message : undefined) });
}
/**
 * One settled reading (a forced full collection) every 10 s: a heap floor point per 10 s on any target. Each costs
 * the target a re-optimisation of its hot code, so the probe skips it while the target is saturated; the cost at
 * full speed and at a paced load is in BENCHMARKS.md (bench:probe).
 */
export const DEFAULT_SETTLE_INTERVAL_S = 10;

const duration = z.unknown().transform((value, ctx) => {
  if (typeof value === 'number' || typeof value === 'string') {
    try {
      return parseDuration(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  }
  ctx.addIssue({ code: 'custom', message: `expected a duration such as '90s', '10m' or a number of seconds, got ${JSON.stringify(value)}` });
  return z.NEVER;
});
const positiveDuration = duration.refine((seconds) => seconds > 0, 'must be longer than 0');

/** An event time: a duration since the run's start, or a share of the run such as '50%' that follows --duration. */
const eventTime = z.unknown().transform((value, ctx): { seconds: number; fraction?: number } => {
  const percent = typeof value === 'string' ? /^(\d+(?:\.\d+)?)\s*%$/.exec(value.trim()) : null;
  if (percent) {
    const fraction = Number(percent[1]) / 100;
    if (fraction <= 1) return { seconds: 0, fraction };
    ctx.addIssue({ code: 'custom', message: `a share of the run must be 100% or less, got '${value}'` });
    return z.NEVER;
  }
  const seconds = duration.safeParse(value);
  if (seconds.success) return { seconds: seconds.data };
  ctx.addIssue({ code: 'custom', message: `expected a time such as '90s', '5m', '50%' or a number of seconds, got ${JSON.stringify(value)}` });
  return z.NEVER;
});

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
  channel: z.string().regex(SAFE_SEGMENT, 'expected a channel name of lowercase letters, digits, ".", "_" or "-"').default('telegram'),
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

const storm = z.discriminatedUnion('kind', [subagentStorm, cronStorm, chatStorm, httpStorm], {
  error: (issue) =>
    issue.code === 'invalid_union' && 'note' in issue && issue.note === 'No matching discriminator'
      ? `unknown storm kind ${JSON.stringify((issue.input as { kind?: unknown })?.kind)}; expected one of ${STORM_KINDS.join(', ')}`
      : undefined,
});

/** How long a target gets to be ready, and how long SIGTERM gets before SIGKILL; both kinds of target have them. */
const targetLimits = {
  readyTimeout: positiveDuration.default(30),
  stopGrace: duration.default(5),
};

const gatewayTarget = z.strictObject({
  store: z.enum(['naive', 'dedup']),
  /** Dedup store only; all fixes when left out. */
  fixes: z.array(z.enum(GATEWAY_LIMITS.fixes as unknown as [GatewayFix, ...GatewayFix[]])).optional(),
  skills: z.number().int().min(0).max(1000).default(22),
  /** Real SKILL.md folders instead of generated skills; relative to the scenario file. */
  skillsDir: z.string().min(1).optional(),
  cronJobs: z.number().int().min(0).max(GATEWAY_LIMITS.maxCronJobs).default(12),
  /** Retention of completed sub-agent and cron runs before the dedup store prunes them (scenario time). */
  pruneAfter: duration.default(60),
  /** Defaults to the scenario's timeScale. */
  timeScale: z.number().positive().optional(),
  /** Start from the reported state: 188 sessions and 153 orphan transcripts. */
  seedState: z.boolean().default(false),
  ...targetLimits,
});

const commandTarget = z.strictObject({
  argv: z.array(z.string()).min(1, 'expected the command and its arguments, such as ["node", "server.js"]'),
  /** Relative to the scenario file's folder. */
  cwd: z.string().default('.'),
  env: z.record(z.string(), z.string()).default({}),
  /** Matched on the target's stdout (colour codes stripped); a first group capturing a URL gives the base URL. */
  ready: z.string().refine(isRegExp, 'expected a regular expression, such as "listening on (http://\\S+)"').optional(),
  /** The base URL, for a target that prints none; `port` is short for http://127.0.0.1:<port>. */
  url: z.string().refine(isHttpUrl, 'expected an http:// or https:// URL, such as "http://127.0.0.1:8080"').optional(),
  port: z.number({ error: 'expected a port number' }).int().min(1).max(65535, 'expected a port from 1 to 65535').optional(),
  /** Readiness by HTTP: polled (after the ready line, when there is one) until it answers 2xx or 3xx. */
  health: z.string().refine((h) => h.startsWith('/') || isHttpUrl(h), 'expected a path such as "/healthz", or a full http:// URL').optional(),
  healthInterval: positiveDuration.default(0.5),
  ...targetLimits,
  /** Watched files, sampled as `file:<label>`; relative to cwd. */
  files: keyedRecord(z.string().regex(LABEL, 'expected a label of letters, digits, ".", "_" or "-"'), z.string()).default({}),
}).superRefine((command, ctx) => {
  if (command.url !== undefined && command.port !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['port'], message: 'give url or port, not both' });
  }
  if (command.ready === undefined && command.health === undefined) {
    ctx.addIssue({ code: 'custom', path: [], message: 'nothing says when the target is ready: add "ready" (a pattern its output prints once it listens) or "health" (a path such as "/healthz" polled until it answers), or both' });
  }
  const urlKnown = command.url !== undefined || command.port !== undefined || (command.ready !== undefined && hasCaptureGroup(command.ready)) || (command.health !== undefined && isHttpUrl(command.health));
  if (!urlKnown && command.ready !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['ready'], message: 'nothing gives the target\'s URL, so no load could reach it: add a group capturing the base URL it prints (such as "listening on (http://\\S+)"), or "url" (such as "http://127.0.0.1:8080") or "port" to the target' });
  } else if (!urlKnown && command.health !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['health'], message: 'a path on a URL nothing gives: add "url" (such as "http://127.0.0.1:8080") or "port" to the target, or give "health" as a full URL' });
  }
});

const target = z
  .strictObject({ gateway: gatewayTarget.optional(), command: commandTarget.optional() })
  .refine((t) => (t.gateway === undefined) !== (t.command === undefined), 'expected exactly one of { gateway: {...} } or { command: {...} }');

/**
 * A number read from the target's state every sample, as metric `state:<name>` (docs/ARCHITECTURE.md, "State
 * readings"): the first column of the first row of a query on an SQLite file opened read-only, or the sum of the
 * samples of one metric (with these labels) in Prometheus text served over HTTP.
 */
const stateSource = z
  .strictObject({
    sqlite: z.strictObject({
      /** Relative to the command target's cwd (for the embedded gateway, to the scenario file's folder). */
      file: z.string({ error: 'expected the database file, such as "state/app.sqlite"' }).min(1, 'expected the database file, such as "state/app.sqlite"'),
      query: z
        .string({ error: 'expected a query such as "SELECT count(*) FROM sessions"' })
        .refine((query) => /^\s*(select|with)\b/i.test(query), 'expected a SELECT query (its first column of its first row is the reading), such as "SELECT count(*) FROM sessions"'),
    }).optional(),
    prometheus: z.strictObject({
      /** A path on the target's base URL, or a full URL. */
      url: z.string({ error: 'expected a path such as "/metrics", or a full http:// URL' }).refine((url) => url.startsWith('/') || isHttpUrl(url), 'expected a path such as "/metrics", or a full http:// URL'),
      /** A sample name as the page writes it (a counter's usually ends in _total). */
      metric: z.string({ error: 'expected a metric name such as "http_requests_total"' }).regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'expected a metric name such as "http_requests_total"'),
      /** Only samples with these labels count; the samples that match are summed. */
      labels: keyedRecord(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a label name of letters, digits and "_"'), z.string()).default({}),
    }).optional(),
  })
  .refine((source) => (source.sqlite === undefined) !== (source.prometheus === undefined), 'expected exactly one of { sqlite: { file, query } } or { prometheus: { url, metric, labels? } }');

const budget = z
  .strictObject({
    maxSlopePerMin: z.number().nonnegative().optional(),
    maxSlopePer1kOps: z.number().nonnegative().optional(),
  })
  .refine((b) => b.maxSlopePerMin !== undefined || b.maxSlopePer1kOps !== undefined, 'expected maxSlopePerMin or maxSlopePer1kOps');

export const scenarioFields = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'expected a name of lowercase letters, digits and "-" (it names run folders)'),
  description: z.string().default(''),
  target,
  /** Wall-clock length of the run; warmup, sampleInterval and event times are wall clock too. */
  duration: positiveDuration,
  /** Samples taken before this are marked warmup and left out of the slopes. */
  warmup: duration.default(0),
  sampleInterval: positiveDuration.default(1),
  /**
   * How often the probe runs a full collection before it reads the heap and RSS (settled samples: heapFloorBytes,
   * rssSettledBytes); 0 never. The default's cost is measured by bench:probe (docs/ARCHITECTURE.md).
   */
  settleInterval: duration.default(DEFAULT_SETTLE_INTERVAL_S),
  /**
   * Compresses simulated time: storm rates and intervals, and the gateway's work, cron and retention, run this many
   * times faster. The run's own clock (duration, warmup, sampleInterval, events) is not scaled.
   */
  timeScale: z.number().positive().default(1),
  seed: z.number().int().nonnegative().default(1),
  load: z.array(storm).default([]),
  /**
   * A storm's load failed (exit 5) when more than this share of a measured minute's requests are errors
   * (harness/storms/loadCheck.ts); 1 leaves only the storms whose every request failed or got no answer.
   */
  maxErrorShare: z.number({ error: 'expected a share of requests from 0 to 1, such as 0.5' }).min(0, 'expected a share from 0 to 1').max(1, 'expected a share from 0 to 1, such as 0.5').default(0.5),
  events: z.array(z.strictObject({ at: eventTime, type: z.enum(EVENT_TYPES) })).default([]),
  /** Numbers from the target's state, each sampled as `state:<name>`; a name ending in Bytes is read as bytes. */
  state: keyedRecord(z.string().regex(LABEL, 'expected a name of letters, digits, ".", "_" or "-" (it names the metric state:<name>)'), stateSource).default({}),
  budgets: z.record(z.string(), budget).default({}),
});

export type Fields = z.output<typeof scenarioFields>;

/** What a scenario file contains (durations as '90s' or seconds). */
export type ScenarioInput = z.input<typeof scenarioFields>;
export type StormSpec = Fields['load'][number];
export type SubagentStormSpec = Extract<StormSpec, { kind: 'subagents' }>;
export type CronStormSpec = Extract<StormSpec, { kind: 'cron' }>;
export type ChatStormSpec = Extract<StormSpec, { kind: 'chat' }>;
export type HttpStormSpec = Extract<StormSpec, { kind: 'http' }>;
export type StormKind = StormSpec['kind'];
export type EventType = (typeof EVENT_TYPES)[number];
export type Budget = Fields['budgets'][string];
export interface GatewayTarget extends Omit<NonNullable<Fields['target']['gateway']>, 'fixes' | 'timeScale'> {
  fixes: GatewayFix[];
  timeScale: number;
}
export type CommandTarget = NonNullable<Fields['target']['command']>;

export interface ScenarioEvent {
  /** Seconds since the run's start. */
  at: number;
  type: EventType;
  /** Set when the file gave a share of the run ('50%'), so a new --duration moves the event with it. */
  atFraction?: number;
}

/** A validated scenario: every duration in seconds, every path absolute, defaults filled in. */
export interface Scenario extends Omit<Fields, 'target' | 'events' | 'state'> {
  target: { gateway: GatewayTarget } | { command: CommandTarget };
  events: ScenarioEvent[];
  state: Record<string, StateSpec>;
  /** The file it was loaded from (or the label given to parseScenario). */
  source: string;
}

/** Typed identity for scenario modules: `export default defineScenario({...})`; loadScenario validates it. */
export function defineScenario(scenario: ScenarioInput): ScenarioInput {
  return scenario;
}

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

function hasCaptureGroup(source: string): boolean {
  try {
    return (new RegExp(`${source}|`).exec('')?.length ?? 0) > 1;
  } catch {
    return false;
  }
}
