// The scenario file: its schema, loading a .ts or .json scenario, and the command line's overrides. A bad file is
// refused here, naming the file, the field and what was expected, before any process starts (the CLI exits 2).
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { z } from 'zod';
// The gateway's own bounds, so a scenario is refused at load time rather than answered 400 on every request.
import { MAX_CRON_JOBS } from '../src/cron/scheduler.ts';
import { MAX_SPAWN_DEPTH, MAX_SPAWN_FANOUT } from '../src/sessions/work.ts';
import { ALL_FIXES, type Fix } from '../src/store/sessionStore.ts';
import { sqliteBindingProblem } from './state/sqliteState.ts';
import { isHttpUrl } from './target/httpUrl.ts';
import { budgetableMetrics } from './analysis/metricCatalogue.ts';
import { UsageError } from './exitCodes.ts';

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
// Below three samples after warmup no slope can be fitted.
const MIN_MEASURED_SAMPLES = 3;
/**
 * One settled reading (a forced full collection) every 10 s: a heap floor point per 10 s on any target. Each costs
 * the target a re-optimisation of its hot code, so the probe skips it while the target is saturated; the cost at
 * full speed and at a paced load is in BENCHMARKS.md (bench:probe).
 */
export const DEFAULT_SETTLE_INTERVAL_S = 10;

const DURATION_TEXT = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;
const SECONDS_PER_UNIT: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** '500ms' | '90s' | '10m' | '1h' (decimals allowed) or a number of seconds ('90' or 90); returns seconds. */
export function parseDuration(value: string | number): number {
  if (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
    throw new RangeError(`expected a duration of 0 seconds or more, got ${value}`);
  }
  const match = DURATION_TEXT.exec(value.trim());
  if (!match) throw new RangeError(`expected a duration such as 500ms, 90s, 10m or 1h, got '${value}'`);
  return Number(match[1]) * SECONDS_PER_UNIT[match[2]];
}

export interface ScenarioIssue {
  /** Field path such as `load[2].rate`; empty for the file as a whole. */
  path: string;
  message: string;
}

/** A scenario the harness refuses to run; `message` names the file, each field path and what was expected. */
export class ScenarioError extends UsageError {
  constructor(
    readonly file: string,
    readonly issues: ScenarioIssue[],
  ) {
    super(
      issues.length === 1
        ? `${file}: ${formatIssue(issues[0])}`
        : `${file}: ${issues.length} problems:\n${issues.map((issue) => `  - ${formatIssue(issue)}`).join('\n')}`,
    );
  }
}

function formatIssue(issue: ScenarioIssue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('');
}

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
  fanout: z.number().int().min(0).max(MAX_SPAWN_FANOUT).default(1),
  depth: z.number().int().min(1).max(MAX_SPAWN_DEPTH).default(1),
  /** Send each period's spawns at once at its start instead of evenly spread. */
  burst: burst.optional(),
  ...stormLimits,
}).superRefine(checkDriven);

const cronStorm = z.strictObject({
  kind: z.literal('cron'),
  /** Jobs job-01..job-NN, each run once per interval. */
  jobs: z.number().int().min(1).max(MAX_CRON_JOBS),
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
  fixes: z.array(z.enum(ALL_FIXES as unknown as [Fix, ...Fix[]])).optional(),
  skills: z.number().int().min(0).max(1000).default(22),
  /** Real SKILL.md folders instead of generated skills; relative to the scenario file. */
  skillsDir: z.string().min(1).optional(),
  cronJobs: z.number().int().min(0).max(MAX_CRON_JOBS).default(12),
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

const scenarioFields = z.strictObject({
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
   * (harness/loadCheck.ts); 1 leaves only the storms whose every request failed or got no answer.
   */
  maxErrorShare: z.number({ error: 'expected a share of requests from 0 to 1, such as 0.5' }).min(0, 'expected a share from 0 to 1').max(1, 'expected a share from 0 to 1, such as 0.5').default(0.5),
  events: z.array(z.strictObject({ at: eventTime, type: z.enum(EVENT_TYPES) })).default([]),
  /** Numbers from the target's state, each sampled as `state:<name>`; a name ending in Bytes is read as bytes. */
  state: keyedRecord(z.string().regex(LABEL, 'expected a name of letters, digits, ".", "_" or "-" (it names the metric state:<name>)'), stateSource).default({}),
  budgets: z.record(z.string(), budget).default({}),
});

type Fields = z.output<typeof scenarioFields>;

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
/** One state reading, its SQLite file an absolute path. */
export type StateSpec =
  | { sqlite: { file: string; query: string } }
  | { prometheus: { url: string; metric: string; labels: Record<string, string> } };

export interface GatewayTarget extends Omit<NonNullable<Fields['target']['gateway']>, 'fixes' | 'timeScale'> {
  fixes: Fix[];
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

/** Validates a scenario value (pure: no file access); relative paths resolve against `baseDir`. */
export function parseScenario(value: unknown, source: string, baseDir = dirname(resolve(source))): Scenario {
  const parsed = scenarioFields.safeParse(value);
  if (!parsed.success) {
    throw new ScenarioError(source, parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })));
  }
  const fields = parsed.data;
  const target = resolveTarget(fields, baseDir);
  const scenario: Scenario = {
    ...fields,
    target,
    state: resolveState(fields.state, 'command' in target ? target.command.cwd : baseDir),
    events: fields.events
      .map(({ at, type }) =>
        at.fraction === undefined ? { at: at.seconds, type } : { at: at.fraction * fields.duration, type, atFraction: at.fraction },
      ),
    source,
  };
  const issues = ruleIssues(scenario);
  if (issues.length > 0) throw new ScenarioError(source, issues);
  return scenario;
}

function resolveTarget(fields: Fields, baseDir: string): Scenario['target'] {
  const { gateway, command } = fields.target;
  if (gateway) {
    return {
      gateway: {
        ...gateway,
        skillsDir: gateway.skillsDir === undefined ? undefined : resolve(baseDir, gateway.skillsDir),
        fixes: gateway.fixes ?? (gateway.store === 'dedup' ? [...ALL_FIXES] : []),
        timeScale: gateway.timeScale ?? fields.timeScale,
      },
    };
  }
  const spec = command as CommandTarget;
  const cwd = resolve(baseDir, spec.cwd);
  return {
    command: {
      ...spec,
      ...(spec.port === undefined ? {} : { url: `http://127.0.0.1:${spec.port}` }),
      cwd,
      files: Object.fromEntries(Object.entries(spec.files).map(([label, path]) => [label, resolve(cwd, path)])),
    },
  };
}

// SQLite files sit where the target works, as its watched files do; the embedded gateway has no cwd of its own.
function resolveState(state: Fields['state'], dir: string): Record<string, StateSpec> {
  return Object.fromEntries(
    Object.entries(state).map(([name, source]): [string, StateSpec] =>
      source.sqlite ? [name, { sqlite: { ...source.sqlite, file: resolve(dir, source.sqlite.file) } }] : [name, { prometheus: source.prometheus! }],
    ),
  );
}

/** The rules that tie fields together; checked on load and again after overrides. */
function ruleIssues(s: Scenario): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  if (s.duration <= s.warmup) {
    issues.push({ path: 'duration', message: `${s.duration}s is not longer than its warmup (${s.warmup}s): nothing would be measured` });
  } else if ((s.duration - s.warmup) / s.sampleInterval < MIN_MEASURED_SAMPLES) {
    issues.push({
      path: 'sampleInterval',
      message: `${s.sampleInterval}s leaves fewer than ${MIN_MEASURED_SAMPLES} samples after warmup in a ${s.duration}s run`,
    });
  }
  let paused = false;
  s.events
    .map((event, i) => ({ event, i }))
    .sort((a, b) => a.event.at - b.event.at)
    .forEach(({ event, i }) => {
      if (event.at > s.duration) {
        issues.push({ path: `events[${i}].at`, message: `${event.at}s is after the end of the run (${s.duration}s)` });
      }
      if (event.type === 'pause' && paused) issues.push({ path: `events[${i}].type`, message: 'pause while the load is already paused' });
      if (event.type === 'resume' && !paused) issues.push({ path: `events[${i}].type`, message: 'resume without an earlier pause' });
      if (event.type === 'pause') paused = true;
      if (event.type === 'resume') paused = false;
    });
  const gateway = 'gateway' in s.target ? s.target.gateway : null;
  if (gateway) {
    if (gateway.store === 'naive' && gateway.fixes.length > 0) {
      issues.push({ path: 'target.gateway.fixes', message: 'fixes apply to the dedup store only (the naive store has none)' });
    }
    s.load.forEach((spec, i) => {
      if (spec.kind === 'cron' && spec.jobs > gateway.cronJobs) {
        issues.push({ path: `load[${i}].jobs`, message: `${spec.jobs} jobs, but the gateway has only cronJobs: ${gateway.cronJobs}` });
      }
    });
  }
  const files = 'command' in s.target ? s.target.command.files : {};
  for (const metric of Object.keys(s.budgets)) {
    const known = metric.startsWith('file:')
      ? metric.slice(5) in files
      : metric.startsWith('state:')
        ? metric.slice(6) in s.state
        : BUDGET_METRICS.includes(metric);
    if (!known) {
      issues.push({
        path: `budgets.${metric}`,
        message: metric.startsWith('file:')
          ? `no watched file labelled '${metric.slice(5)}' in target.command.files`
          : metric.startsWith('state:')
            ? `no state reading named '${metric.slice(6)}' in state`
            : `unknown metric; expected one of ${BUDGET_METRICS.join(', ')}, file:<label> or state:<name>`,
      });
    }
  }
  return issues;
}

/** Reads and validates a scenario: a .ts/.js module default-exporting defineScenario({...}), or a .json file. */
export async function loadScenario(path: string): Promise<Scenario> {
  const file = resolve(path);
  if (!existsSync(file)) throw new ScenarioError(path, [{ path: '', message: 'no such scenario file' }]);
  const value = await readScenarioValue(path, file);
  const scenario = parseScenario(value, path, dirname(file));
  const issues = missingPaths(scenario);
  const sqliteState = Object.keys(scenario.state).find((name) => 'sqlite' in scenario.state[name]);
  if (sqliteState !== undefined) {
    const problem = await sqliteBindingProblem();
    if (problem) issues.push({ path: `state.${sqliteState}.sqlite`, message: problem });
  }
  if (issues.length > 0) throw new ScenarioError(path, issues);
  return scenario;
}

async function readScenarioValue(path: string, file: string): Promise<unknown> {
  const ext = extname(file);
  if (ext === '.json') {
    try {
      return JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ScenarioError(path, [{ path: '', message: `not valid JSON: ${(error as Error).message}` }]);
    }
  }
  if (!['.ts', '.mts', '.js', '.mjs'].includes(ext)) {
    throw new ScenarioError(path, [{ path: '', message: `expected a .ts, .js or .json scenario file, got '${ext || 'no extension'}'` }]);
  }
  let module: { default?: unknown };
  try {
    // tsImport, not import(): a bare import() of a .ts file outside a "type": "module" folder goes through Node's
    // require(esm) and fails ("Cannot require() ES Module ... in a cycle") under the CLI's ESM-only tsx hooks.
    module = unwrapCommonJs(await tsImport(pathToFileURL(file).href, import.meta.url));
  } catch (error) {
    throw new ScenarioError(path, [{ path: '', message: `could not import it: ${(error as Error).message}` }]);
  }
  if (module.default === undefined) {
    throw new ScenarioError(path, [{ path: '', message: 'expected a default export: export default defineScenario({...})' }]);
  }
  return module.default;
}

// A .ts file outside a "type": "module" folder is compiled to CommonJS: its `export default` arrives as the
// `default` of module.exports, itself the namespace's default.
function unwrapCommonJs(module: { default?: unknown }): { default?: unknown } {
  const exports = module.default as { __esModule?: boolean; default?: unknown } | undefined;
  return exports !== null && typeof exports === 'object' && exports.__esModule === true ? { default: exports.default } : module;
}

// Checked at load, not in the pure parse: a folder a command needs must exist before anything starts.
function missingPaths(s: Scenario): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  if ('command' in s.target) {
    const { argv, cwd, env, files } = s.target.command;
    if (!isDirectory(cwd)) issues.push({ path: 'target.command.cwd', message: `no such folder: ${cwd}` });
    else {
      const problem = executableProblem(argv[0], cwd, env.PATH ?? process.env.PATH ?? '');
      if (problem) issues.push({ path: 'target.command.argv[0]', message: problem });
    }
    for (const [label, file] of Object.entries(files)) {
      if (!isDirectory(dirname(file))) {
        issues.push({ path: `target.command.files.${label}`, message: `the folder of ${file} does not exist` });
      }
    }
  } else if (s.target.gateway.skillsDir !== undefined && !isDirectory(s.target.gateway.skillsDir)) {
    issues.push({ path: 'target.gateway.skillsDir', message: `no such folder: ${s.target.gateway.skillsDir}` });
  }
  return issues;
}

// Looked up as spawn will look it up: a name with a slash from cwd, a bare name on the target's PATH.
function executableProblem(command: string, cwd: string, searchPath: string): string | null {
  const candidates = command.includes('/') ? [resolve(cwd, command)] : searchPath.split(delimiter).filter(Boolean).map((dir) => resolve(cwd, dir, command));
  const files = candidates.filter((file) => existsSync(file) && !isDirectory(file));
  if (files.some(isExecutable)) return null;
  if (files.length > 0) return `${files[0]} is not executable (chmod +x it, or run it through its interpreter, such as ["node", "${command}"])`;
  return command.includes('/') ? `no such executable: ${candidates[0]}` : `no executable '${command}' on PATH`;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export interface ScenarioOverrides {
  store?: string;
  /** 'prune,dedupe', 'none' or a list. */
  fixes?: string | string[];
  duration?: string | number;
  seed?: string | number;
  settleInterval?: string | number;
}

/** Applies command-line options (--store, --fixes, --duration, --seed, --settle-interval) and checks the result again. */
export function applyOverrides(scenario: Scenario, overrides: ScenarioOverrides): Scenario {
  const next: Scenario = { ...scenario };
  const issues: ScenarioIssue[] = [];
  if (overrides.store !== undefined || overrides.fixes !== undefined) {
    if (!('gateway' in scenario.target)) {
      issues.push({ path: '--store/--fixes', message: 'apply to a gateway target only; this scenario runs a command' });
    } else {
      const gateway = scenario.target.gateway;
      const store = overrides.store ?? gateway.store;
      if (store !== 'naive' && store !== 'dedup') {
        issues.push({ path: '--store', message: `expected naive or dedup, got '${store}'` });
      } else if (store === 'naive' && overrides.fixes !== undefined && parseFixes(overrides.fixes, issues).length > 0) {
        issues.push({ path: '--fixes', message: 'applies to --store dedup only (the naive store has no fixes)' });
      } else {
        const fixes = overrides.fixes === undefined ? defaultFixes(store, gateway) : parseFixes(overrides.fixes, issues);
        next.target = { gateway: { ...gateway, store, fixes } };
      }
    }
  }
  if (overrides.duration !== undefined) {
    try {
      next.duration = parseDuration(overrides.duration);
      next.events = scenario.events.map((e) => (e.atFraction === undefined ? e : { ...e, at: e.atFraction * next.duration }));
    } catch (error) {
      issues.push({ path: '--duration', message: (error as Error).message });
    }
  }
  if (overrides.settleInterval !== undefined) {
    try {
      next.settleInterval = parseDuration(overrides.settleInterval);
    } catch (error) {
      issues.push({ path: '--settle-interval', message: (error as Error).message });
    }
  }
  if (overrides.seed !== undefined) {
    const seed = Number(overrides.seed);
    if (Number.isInteger(seed) && seed >= 0) next.seed = seed;
    else issues.push({ path: '--seed', message: `expected a whole number of 0 or more, got '${overrides.seed}'` });
  }
  issues.push(...(issues.length === 0 ? ruleIssues(next) : []));
  if (issues.length > 0) throw new ScenarioError(scenario.source, issues);
  return next;
}

// Switching to naive drops the fixes; switching to dedup without --fixes keeps the file's fixes, or all of them.
function defaultFixes(store: 'naive' | 'dedup', gateway: GatewayTarget): Fix[] {
  if (store === 'naive') return [];
  return gateway.store === 'dedup' ? gateway.fixes : [...ALL_FIXES];
}

function parseFixes(value: string | string[], issues: ScenarioIssue[]): Fix[] {
  const names = Array.isArray(value) ? value : value === 'none' || value === '' ? [] : value.split(',').map((f) => f.trim());
  const unknown = names.filter((name) => !(ALL_FIXES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    issues.push({ path: '--fixes', message: `unknown fix '${unknown[0]}'; expected some of ${ALL_FIXES.join(', ')}, or none` });
  }
  return [...new Set(names as Fix[])];
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
