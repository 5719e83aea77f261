// The schema of the scenario's `target`: exactly one of the embedded gateway (its store, fixes and the gateway's
// own bounds) or a command (argv, readiness, URL, watched files), with the limits both kinds share.
import { z } from 'zod';
import { GATEWAY_LIMITS, type GatewayFix } from '../target/gatewayLimits.ts';
import { isHttpUrl } from '../target/httpUrl.ts';
import { duration, keyedRecord, LABEL, positiveDuration } from './fieldTypes.ts';

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
  /** What the run's lines, summary and report call the target (`command:<name>`); default: the command's file name. */
  name: z.string().regex(LABEL, 'expected a name of letters, digits, ".", "_" or "-", such as "openclaw"').optional(),
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

export const target = z
  .strictObject({ gateway: gatewayTarget.optional(), command: commandTarget.optional() })
  .refine((t) => (t.gateway === undefined) !== (t.command === undefined), 'expected exactly one of { gateway: {...} } or { command: {...} }');

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
