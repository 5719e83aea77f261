// Schema pieces and the body hook shared by several routes (a session key in a path, one key segment, the small
// body limit), so every route refuses the same things the same way.
import type { FastifyRequest } from 'fastify';

/**
 * For routes whose fields are all optional: a request with no body is checked as `{}`, so `curl -X POST` works
 * while a body that is sent must still match the schema.
 */
export async function emptyBodyAsObject(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {};
}

/** Small JSON bodies (sessions, spawns, cron runs) never need more than this. */
export const SMALL_BODY_LIMIT = 4 * 1024;

/** One `:`-segment of a key (channel, peer, job id); src/keys.ts re-checks it before any path is built. */
export const SEGMENT_SCHEMA = { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,127}$' } as const;

/** A URL-decoded session key; its segments are validated by assertSessionKey so the message names the bad one. */
export const SESSION_KEY_PARAMS = {
  type: 'object',
  additionalProperties: false,
  required: ['key'],
  properties: { key: { type: 'string', minLength: 1, maxLength: 1024 } },
} as const;
