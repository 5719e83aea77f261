// Parses and validates `soakgate gateway` flags into plain options, apart from the code that runs the server, so
// every mistake a user can make is reported in one place with what to do about it (exit code 2).
import { parseArgs } from 'node:util';
import { ALL_FIXES, type Fix, type StoreKind } from './store/sessionStore.ts';
import { MAX_CRON_JOBS } from './cron/scheduler.ts';
import { defaultFixes, parseFixes } from './store/fixes.ts';

export interface GatewayOptions {
  store: StoreKind;
  fixes: Fix[];
  dataDir: string;
  port: number;
  skills: number;
  skillsDir?: string;
  cronJobs: number;
  timeScale: number;
  /** Retention of completed ephemeral sessions in simulated time (before --time-scale). */
  pruneAfterMs: number;
  seedState: boolean;
  /** How long a request's headers and body may take to arrive. */
  requestTimeoutMs: number;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const GATEWAY_USAGE = `usage: soakgate gateway --store naive|dedup --data-dir DIR [options]

Runs the embedded agent gateway on 127.0.0.1 and prints "listening on http://127.0.0.1:PORT" once ready.
SIGTERM or SIGINT flushes the session store and exits 0.

  --store naive|dedup     naive reproduces OpenClaw #55334; dedup fixes it              (required)
  --data-dir DIR          where agents/main/sessions/ lives                              (required)
  --fixes LIST            dedup fixes, comma-separated: ${ALL_FIXES.join(',')}, or none  (default: all)
  --port N                TCP port on 127.0.0.1, 0 picks a free one                      (default: 0)
  --skills N              number of synthetic skills to generate                         (default: 22)
  --skills-dir DIR        load real SKILL.md folders instead of generating skills
  --cron-jobs N           cron jobs job-01..job-NN, job-NN fires every NN minutes        (default: 12)
  --time-scale S          divides every simulated duration (work, cron, retention) by S   (default: 1)
  --prune-after DURATION  retention of completed sub-agent and cron runs: 500ms, 60s, 5m (default: 60s)
  --request-timeout DUR   a request's headers and body must arrive within DUR, else 408 (default: 30s)
  --seed-state            first write the reported state (188 sessions, 153 orphan transcripts)
                          when the data dir holds no sessions.json yet
  --help                  show this text`;

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(flag: string, text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) throw new UsageError(`${flag} must be a duration such as 500ms, 60s, 5m or 1h, got '${text}'`);
  return Number(match[1]) * UNIT_MS[match[2]];
}

function positiveDuration(flag: string, text: string): number {
  const ms = parseDuration(flag, text);
  if (ms <= 0) throw new UsageError(`${flag} must be longer than 0, got '${text}'`);
  return ms;
}

function parseInteger(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got '${text}'`);
  }
  return value;
}

function fixesFor(store: StoreKind, text: string | undefined): Fix[] {
  if (text === undefined) return defaultFixes(store);
  if (store === 'naive') throw new UsageError('--fixes applies to --store dedup only (the naive store has no fixes)');
  try {
    return parseFixes(text);
  } catch (error) {
    throw new UsageError(`--fixes: ${(error as Error).message}`);
  }
}

/** Returns 'help' for --help, the options otherwise; throws UsageError on any mistake. */
export function parseGatewayArgs(argv: string[]): GatewayOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        store: { type: 'string' },
        fixes: { type: 'string' },
        'data-dir': { type: 'string' },
        port: { type: 'string', default: '0' },
        skills: { type: 'string' },
        'skills-dir': { type: 'string' },
        'cron-jobs': { type: 'string', default: '12' },
        'time-scale': { type: 'string', default: '1' },
        'prune-after': { type: 'string', default: '60s' },
        'seed-state': { type: 'boolean', default: false },
        'request-timeout': { type: 'string', default: '30s' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const store = values.store;
  if (store !== 'naive' && store !== 'dedup') {
    throw new UsageError(`--store must be naive or dedup, got ${store === undefined ? 'nothing' : `'${store}'`}`);
  }
  const dataDir = values['data-dir'];
  if (!dataDir) throw new UsageError('--data-dir DIR is required (the gateway keeps its sessions there)');
  if (values.skills !== undefined && values['skills-dir'] !== undefined) {
    throw new UsageError('give either --skills N or --skills-dir DIR, not both');
  }
  const timeScale = Number(values['time-scale']);
  if (!Number.isFinite(timeScale) || timeScale <= 0) {
    throw new UsageError(`--time-scale must be a positive number, got '${values['time-scale']}'`);
  }
  return {
    store,
    fixes: fixesFor(store, values.fixes),
    dataDir,
    port: parseInteger('--port', values.port, 0, 65535),
    skills: parseInteger('--skills', values.skills ?? '22', 0, 1000),
    skillsDir: values['skills-dir'],
    cronJobs: parseInteger('--cron-jobs', values['cron-jobs'], 0, MAX_CRON_JOBS),
    timeScale,
    pruneAfterMs: parseDuration('--prune-after', values['prune-after']),
    seedState: values['seed-state'],
    requestTimeoutMs: positiveDuration('--request-timeout', values['request-timeout']),
  };
}
