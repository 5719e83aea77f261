// Human sessions and their messages, plus listing, reading and deleting any session. Schemas sit next to the
// handlers so fastify refuses wrong types, unknown fields and oversized bodies before a handler runs.
import type { FastifyInstance } from 'fastify';
import { assertSessionKey } from '../keys.ts';
import { SESSION_KINDS, SESSION_STATUSES, type SessionEntry, type SessionKind, type SessionStatus } from '../store/sessionStore.ts';
import type { Gateway } from '../server.ts';
import { SessionNotFoundError } from '../sessions/sessionWriter.ts';
import { SEGMENT_SCHEMA, SESSION_KEY_PARAMS, SMALL_BODY_LIMIT, emptyBodyAsObject } from './schemas.ts';

// A chat message may carry a pasted document of up to 64 Ki characters (code points, as the schema counts them);
// a longer one is refused, not stored. The body limit admits any message within that however it is written: JSON
// may spend 12 bytes on one code point (one outside the BMP as two `\uXXXX` escapes; a control character takes 6),
// and 1 KB covers the rest of the body.
const MAX_MESSAGE_CHARS = 64 * 1024;
const MAX_JSON_BYTES_PER_CHAR = 12;
const MESSAGE_BODY_LIMIT = MAX_JSON_BYTES_PER_CHAR * MAX_MESSAGE_CHARS + 1024;
const DEFAULT_LIST_LIMIT = 1000;

/** A session as the API shows it: the skills snapshot is summarised, not sent whole (it weighs ~41 KB). */
function publicEntry(entry: SessionEntry) {
  const { skillsSnapshot, ...rest } = entry;
  return {
    ...rest,
    skillsSnapshot: {
      version: skillsSnapshot.version,
      skills: skillsSnapshot.skills.map((skill) => skill.name),
      promptChars: skillsSnapshot.prompt.length,
    },
  };
}

export function sessionRoutes(app: FastifyInstance, gateway: Gateway): void {
  humanSessionRoutes(app, gateway);
  anySessionRoutes(app, gateway);
}

/** Opening a human session and recording its messages. */
function humanSessionRoutes(app: FastifyInstance, gateway: Gateway): void {
  app.post<{ Body: { channel?: string; peer?: string } }>('/v1/sessions', {
    bodyLimit: SMALL_BODY_LIMIT,
    schema: {
      body: {
        type: 'object',
        additionalProperties: false,
        properties: { channel: SEGMENT_SCHEMA, peer: SEGMENT_SCHEMA },
      },
    },
    preValidation: emptyBodyAsObject,
    handler: async (request, reply) => {
      const { entry, created } = await gateway.sessions.openHumanSession(request.body.channel, request.body.peer);
      return reply.code(created ? 201 : 200).send({ key: entry.key, sessionId: entry.sessionId });
    },
  });

  app.post<{ Params: { key: string }; Body: { role: 'user' | 'assistant' | 'system'; text: string } }>(
    '/v1/sessions/:key/messages',
    {
      bodyLimit: MESSAGE_BODY_LIMIT,
      schema: {
        params: SESSION_KEY_PARAMS,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['role', 'text'],
          properties: {
            role: { type: 'string', enum: ['user', 'assistant', 'system'] },
            text: { type: 'string', minLength: 1, maxLength: MAX_MESSAGE_CHARS },
          },
        },
      },
    },
    async (request, reply) => {
      const key = assertSessionKey(request.params.key);
      const entry = await gateway.sessions.recordMessage(key, request.body.role, request.body.text);
      return reply.code(201).send({ key, messageCount: entry.messageCount });
    },
  );
}

/** Listing, reading and deleting a session of any kind. */
function anySessionRoutes(app: FastifyInstance, gateway: Gateway): void {
  app.get<{ Querystring: { kind?: SessionKind; status?: SessionStatus; limit?: string } }>('/v1/sessions', {
    schema: {
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          kind: { type: 'string', enum: [...SESSION_KINDS] },
          status: { type: 'string', enum: [...SESSION_STATUSES] },
          limit: { type: 'string', pattern: '^[1-9][0-9]{0,5}$' },
        },
      },
    },
    handler: async (request) => {
      const { kind, status } = request.query;
      const limit = Number(request.query.limit ?? DEFAULT_LIST_LIMIT);
      const all = gateway.store.list({ kind, status });
      return { total: all.length, sessions: all.slice(0, limit) };
    },
  });

  app.get<{ Params: { key: string } }>('/v1/sessions/:key', {
    schema: { params: SESSION_KEY_PARAMS },
    handler: async (request) => {
      const key = assertSessionKey(request.params.key);
      const entry = await gateway.store.get(key);
      if (!entry) throw new SessionNotFoundError(key);
      return publicEntry(entry);
    },
  });

  app.delete<{ Params: { key: string } }>('/v1/sessions/:key', {
    schema: { params: SESSION_KEY_PARAMS },
    handler: async (request, reply) => {
      const key = assertSessionKey(request.params.key);
      gateway.sessions.assertDeletable(key);
      // Stop its simulated work first, so the work does not write to a session that is gone.
      await gateway.work.cancel(key);
      if (!(await gateway.store.delete(key))) throw new SessionNotFoundError(key);
      return reply.code(204).send();
    },
  });
}
