// The scenario file's schema: its top-level fields, defaults and what a bad value is told (the storms' and the
// targets' own in stormSchemas.ts and targetSchemas.ts), and the types the rest of the harness reads a validated
// scenario as. Pure; loading files is loadScenario.ts's.
import { z } from 'zod';
import { budgetableMetrics } from '../analysis/metricCatalogue.ts';
import type { StateSpec } from '../state/stateReadings.ts';
import type { CommandTargetOptions } from '../target/commandTargetOptions.ts';
import type { GatewayFix } from '../target/gatewayLimits.ts';
import { isHttpUrl } from '../target/httpUrl.ts';
import { duration, eventTime, keyedRecord, LABEL, positiveDuration } from './fieldTypes.ts';
import { storm } from './stormSchemas.ts';
import { target } from './targetSchemas.ts';

export const EVENT_TYPES = ['restart', 'pause', 'resume', 'snapshot'] as const;
/**
 * Metrics a budget may name (the metric catalogue's), besides `file:<label>` for a command target's watched files and
 * `state:<name>` for the scenario's state readings.
 */
export const BUDGET_METRICS = budgetableMetrics();

/**
 * One settled reading (a forced full collection) every 30 s: a heap floor point per 30 s on any target, besides its
 * own full collections. Each costs the target a re-optimisation of its hot code; measured side by side (bench:probe,
 * BENCHMARKS.md) a 10 s cadence cost the gateway 5-6% of its throughput between idle and saturated, 30 s about 1%.
 */
export const DEFAULT_SETTLE_INTERVAL_S = 30;

/**
 * A number read from the target's state every sample, as metric `state:<name>` (docs/ARCHITECTURE.md, "State
 * readings"): the first column of the first row of a query on an SQLite file opened read-only, or the sum of the
 * samples of one metric (with these labels) in Prometheus text served over HTTP.
 */
const stateSource = z
  .strictObject({
    sqlite: z.strictObject({
      /**
       * Relative to the command target's cwd (for the embedded gateway, to the scenario file's folder); `{runDir}/...`
       * is in the run folder, for a target that keeps its state there.
       */
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
   * Force a full collection at every settled reading: even on a saturated target (its event loop busy, or its main
   * thread running or waiting for a CPU, 75% of the time or more over a few seconds in the last 30), which the probe
   * otherwise declines since it pays the re-warming in throughput, and even where the target collected fully on its
   * own (whose RSS reading is higher and less steady: the forced one gives pages back). A stress scenario whose leak
   * saturates the target and whose gate judges settled RSS against a baseline (ci-gate) needs that more than the
   * target's throughput.
   */
  settleAlways: z.boolean().default(false),
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
// The command adapter takes this resolved target as its options (CommandTargetOptions, the authority, since target/
// does not import the scenario): a field the schema renames, drops or retypes fails the typecheck here.
type Fits<T extends U, U> = T;
type CommandTargetFitsItsAdapter = Fits<CommandTarget, CommandTargetOptions>;

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
