// The field types scenario files share: durations ('90s', '10m' or seconds), event times (a duration or a share of
// the run), and records whose keys become parts of metric names, each refused with a message that says what fits.
import { z } from 'zod';
import { parseDuration } from './duration.ts';

/** A watched file's label or a state reading's name: it becomes part of a metric's name. */
export const LABEL = /^[A-Za-z0-9_.-]+$/;

/** A record whose bad key is refused with the key's own message (zod's own says only "Invalid key in record"). */
export function keyedRecord<V extends z.ZodType>(key: z.ZodString, value: V) {
  return z.record(key, value, { error: (issue) => (issue.code === 'invalid_key' ? issue.issues?.[0]?.message : undefined) });
}

export const duration = z.unknown().transform((value, ctx) => {
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
export const positiveDuration = duration.refine((seconds) => seconds > 0, 'must be longer than 0');

/** An event time: a duration since the run's start, or a share of the run such as '50%' that follows --duration. */
export const eventTime = z.unknown().transform((value, ctx): { seconds: number; fraction?: number } => {
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
