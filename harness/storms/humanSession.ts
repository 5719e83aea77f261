// Opens a human session on the gateway (POST /v1/sessions), which a sub-agent storm needs as its parent and a
// chat storm needs for its messages. The gateway answers with the existing session when it is already open.
import { sendBatch, type Batch } from './autocannonBatch.ts';
import type { StormContext } from './storm.ts';
import { recordOutcome } from './stormTally.ts';

export type OpenResult = { key: string } | { error: string };

export interface PendingSession {
  result: Promise<OpenResult>;
  /** Abandons the request (when the storm stops first). */
  stop(): void;
}

/** `timeoutS`: the storm's request timeout (autocannonBatch's default when not given). */
export function openHumanSession(ctx: StormContext, channel: string, peer: string, timeoutS?: number): PendingSession {
  let result: OpenResult = { error: 'stopped before the gateway answered' };
  let batch: Batch;
  ctx.tally.addSent(1);
  try {
    batch = sendBatch(ctx.baseUrl, [{ method: 'POST', path: '/v1/sessions', body: { channel, peer } }], (request, outcome) => {
      const ok = recordOutcome(ctx, request, outcome);
      result = ok ? parseKey(outcome.body) : { error: outcome.status === null ? (outcome.error ?? 'no response') : `HTTP ${outcome.status} ${outcome.body.slice(0, 200)}` };
    }, timeoutS);
  } catch (error) {
    return { result: Promise.resolve({ error: (error as Error).message }), stop() {} };
  }
  return { result: batch.done.then(() => result), stop: () => batch.stop() };
}

function parseKey(body: string): OpenResult {
  try {
    const key = (JSON.parse(body) as { key?: unknown }).key;
    if (typeof key === 'string' && key.length > 0) return { key };
  } catch {
    // reported below
  }
  return { error: `expected {"key": ...} in the answer, got ${body.slice(0, 200)}` };
}
