// The values every stored session record must hold, whichever file it is read from (a naive sessions.json, the
// dedup index, an entry body): a kind or status the gateway does not know, or a time or count that is not a number,
// is refused at load, where the file can be named, instead of surfacing later in listings, pruning or a message count.
import { SESSION_KINDS, SESSION_STATUSES, type SessionKind, type SessionStatus } from './sessionStore.ts';

type NumberField = 'createdAt' | 'updatedAt' | 'messageCount';

/**
 * What is wrong with `record`'s kind, status, the `required` numbers and an `endedAt` it holds, in words for the
 * error message; undefined when they can be used.
 */
export function entryFieldProblem(record: Record<string, unknown>, required: readonly NumberField[]): string | undefined {
  if (!SESSION_KINDS.includes(record.kind as SessionKind)) {
    return `has an unknown kind ${JSON.stringify(record.kind)} (expected one of ${SESSION_KINDS.join(', ')})`;
  }
  if (!SESSION_STATUSES.includes(record.status as SessionStatus)) {
    return `has an unknown status ${JSON.stringify(record.status)} (expected one of ${SESSION_STATUSES.join(', ')})`;
  }
  const present = record.endedAt === undefined ? required : [...required, 'endedAt'];
  for (const field of present) {
    const value = record[field];
    if (value === undefined) return `field '${field}' is missing`;
    if (typeof value !== 'number' || !Number.isFinite(value)) return `field '${field}' is not a number: ${JSON.stringify(value)}`;
  }
  return undefined;
}
