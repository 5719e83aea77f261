// Whether a run's load reached its target: a target that answers every request with 401 looks perfectly flat, so
// a run whose load failed must not pass (exit 5, docs/ARCHITECTURE.md, "The load must reach the target"). Pure:
// each storm's counts in, summary.json's `load` out, with one plain sentence naming the storm when it failed.
import type { StormSpec } from '../scenario/schema.ts';
import type { StormFigures } from './stormTally.ts';
import type { LoadSummary, StormLoad } from '../contracts/summary.ts';
import { formatShare } from '../analysis/units.ts';

/**
 * A minute (or the whole measured window) is judged on its error share only once it holds this many finished
 * requests: below that one or two unlucky errors are a large share (1 error of 1 request is 100%). A storm too
 * slow to reach it in any minute is judged over the whole measured window, and a storm whose every request
 * failed fails whatever its count.
 */
export const MIN_REQUESTS_JUDGED = 10;
/** How many error causes summary.json keeps per storm, most common first. */
const CAUSES_KEPT = 5;

export interface StormRun {
  spec: StormSpec;
  figures: StormFigures;
}

/** How a person names a storm: its kind and the request it sends, such as `http POST /v1/chat/completions`. */
export function stormLabel(spec: StormSpec): string {
  switch (spec.kind) {
    case 'http':
      return `http ${spec.method} ${spec.path}`;
    case 'subagents':
      return 'subagents POST /v1/subagents';
    case 'chat':
      return 'chat POST /v1/sessions/:key/messages';
    case 'cron':
      return 'cron POST /v1/cron/:jobId/run';
  }
}

/** A storm with a rate above 0, virtual users or cron jobs is meant to send requests. */
function expectsLoad(spec: StormSpec): boolean {
  return spec.kind === 'cron' || (spec.users ?? spec.rate ?? 0) > 0;
}

/**
 * The load's figures and verdict. Judged, in order, per storm: no request of a storm that was due to send was
 * answered at all; more than `maxErrorShare` of a measured minute's requests failed (the first such minute is
 * named); the same over the whole measured window; every request of the run failed. And for the run: no request
 * was sent at all though the scenario has load.
 */
export function checkLoad(storms: StormRun[], maxErrorShare: number): LoadSummary {
  const records = storms.map(({ spec, figures }, i) => stormRecord(i + 1, stormLabel(spec), figures));
  const reasons = storms.flatMap(({ figures }, i) => {
    const reason = stormFailure(figures, maxErrorShare);
    return reason ? [`storm ${i + 1} (${records[i].label}) ${reason}`] : [];
  });
  const sent = storms.reduce((n, { figures }) => n + figures.sent, 0);
  const withLoad = storms.filter(({ spec }) => expectsLoad(spec)).length;
  // Said of the run only when no storm's own reason (such as every operation skipped) says more.
  if (reasons.length === 0 && sent === 0 && withLoad > 0) reasons.push(`no request was sent at all, though the scenario has ${withLoad === 1 ? 'a storm' : `${withLoad} storms`} with load`);
  return { ...(reasons.length > 0 ? { failed: `load failed: ${reasons[0]}` } : {}), maxErrorShare, storms: records };
}

function stormFailure(f: StormFigures, maxErrorShare: number): string | null {
  const why = mostCommonCause(f.errorCauses);
  if (f.due > 0 && f.answered === 0) {
    if (f.sent === 0) return `sent no request: all ${f.due} that were due were skipped at its in-flight cap`;
    if (f.requests === 0) return `got no answer to any of its ${f.sent} requests before the run ended`;
    return `got no answer to any of its ${f.requests} requests${why}`;
  }
  const minute = f.minutes.find((m) => m.requests >= MIN_REQUESTS_JUDGED && m.errors / m.requests > maxErrorShare);
  if (minute) return `got ${errorsOf(minute)} in minute ${minute.minute + 1}${why}`;
  const measured = f.minutes.reduce((sum, m) => ({ requests: sum.requests + m.requests, errors: sum.errors + m.errors }), { requests: 0, errors: 0 });
  if (measured.requests >= MIN_REQUESTS_JUDGED && measured.errors / measured.requests > maxErrorShare) return `got ${errorsOf(measured)} over the measured run${why}`;
  if (f.requests > 0 && f.errors === f.requests) return `got ${errorsOf(f)}${why}`;
  return null;
}

function stormRecord(storm: number, label: string, f: StormFigures): StormLoad {
  const worst = f.minutes.filter((m) => m.requests > 0).sort((a, b) => b.errors / b.requests - a.errors / a.requests || b.errors - a.errors)[0];
  return {
    storm,
    label,
    sent: f.sent,
    requests: f.requests,
    errors: f.errors,
    errorShare: f.requests > 0 ? f.errors / f.requests : null,
    skipped: f.skipped,
    errorCauses: Object.fromEntries(sortedCauses(f.errorCauses).slice(0, CAUSES_KEPT)),
    ...(worst && worst.errors > 0 ? { worstMinute: { minute: worst.minute + 1, requests: worst.requests, errors: worst.errors } } : {}),
  };
}

function sortedCauses(causes: Record<string, number>): Array<[string, number]> {
  return Object.entries(causes).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function mostCommonCause(causes: Record<string, number>): string {
  const top = sortedCauses(causes)[0];
  return top ? `; most common: ${top[0]}` : '';
}

function errorsOf({ requests, errors }: { requests: number; errors: number }): string {
  return `${errors} errors of ${requests} requests (${formatShare(errors / requests)})`;
}

/** One line for a terminal: `storm 2 (http GET /x): 75 requests, 75 errors (100%; HTTP 401 75), 0 skipped`. */
export function describeStormLoad(s: StormLoad): string {
  const causes = sortedCauses(s.errorCauses).map(([cause, n]) => `${cause} ${n}`).join(', ');
  const errors = s.errorShare === null ? `${s.errors} errors` : `${s.errors} errors (${formatShare(s.errorShare)}${causes ? `; ${causes}` : ''})`;
  return `storm ${s.storm} (${s.label}): ${s.requests} requests, ${errors}, ${s.skipped} skipped`;
}
