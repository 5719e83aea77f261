// The gateway's one error shape, `{"error":{"code","message"}}`: every refused request (bad JSON, schema
// violations, oversized bodies, unknown routes or keys) and every internal failure is answered through here.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidKeyError } from '../keys.ts';
import { IllegalTransitionError } from '../sessions/lifecycle.ts';
import { SessionEndedError, SessionNotFoundError } from '../sessions/sessionWriter.ts';
import { DamagedSessionError } from '../store/damagedSessionError.ts';
import { TranscriptUnusableError } from '../transcripts.ts';
import { UnknownCronJobError } from '../cron/scheduler.ts';
import { MainSessionProtectedError } from '../sessions/humanSessions.ts';
import { ForbiddenRequestError } from './localOnly.ts';

interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
}

// Fastify's own codes for input it refused before a handler ran, mapped to stable codes clients can test for.
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_content_length',
  FST_ERR_BAD_URL: 'bad_url',
  FST_ERR_MAX_PARAM_LENGTH: 'path_too_long',
};

// Fastify says only "Unsupported Media Type"; the caller needs to know what to send instead.
const UNSUPPORTED_MEDIA_TYPE_MESSAGE = 'Unsupported Media Type: send the body as JSON with Content-Type: application/json';

// Ajv says "must NOT have additional properties" without naming the field; the name is what a caller needs.
function validationMessage(error: FastifyError): string {
  const unknown = error.validation?.find((issue) => issue.keyword === 'additionalProperties');
  if (!unknown) return error.message;
  const where = `${error.validationContext ?? 'body'}${unknown.instancePath.replaceAll('/', '.')}`;
  return `${where} has an unknown field '${String(unknown.params.additionalProperty)}'`;
}

function describe(error: FastifyError | Error): ErrorBody {
  if (error instanceof SessionNotFoundError) return { statusCode: 404, code: 'session_not_found', message: error.message };
  if (error instanceof SessionEndedError) return { statusCode: 409, code: 'session_ended', message: error.message };
  if (error instanceof InvalidKeyError) return { statusCode: 400, code: 'invalid_key', message: error.message };
  if (error instanceof DamagedSessionError) return { statusCode: 409, code: 'session_damaged', message: error.message };
  if (error instanceof TranscriptUnusableError) return { statusCode: 409, code: 'transcript_unusable', message: error.message };
  if (error instanceof UnknownCronJobError) return { statusCode: 404, code: 'cron_job_not_found', message: error.message };
  if (error instanceof MainSessionProtectedError) return { statusCode: 409, code: 'main_session_protected', message: error.message };
  if (error instanceof ForbiddenRequestError) return { statusCode: 403, code: error.code, message: error.message };
  if (error instanceof IllegalTransitionError) return { statusCode: 409, code: 'illegal_transition', message: error.message };
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    return { statusCode: 400, code: 'invalid_request', message: validationMessage(fastifyError) };
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    // JSON.parse's SyntaxError arrives with status 400 but no FST code of its own.
    const code = FASTIFY_CODES[fastifyError.code] ?? (error instanceof SyntaxError ? 'malformed_json' : 'bad_request');
    if (code === 'unsupported_media_type') return { statusCode: status, code, message: UNSUPPORTED_MEDIA_TYPE_MESSAGE };
    return { statusCode: status, code, message: fastifyError.message };
  }
  return { statusCode: 500, code: 'internal', message: 'internal error; see the gateway log' };
}

function send(reply: FastifyReply, body: ErrorBody): FastifyReply {
  return reply.code(body.statusCode).send({ error: { code: body.code, message: body.message } });
}

/** For fastify's `frameworkErrors` option: URLs the router refuses (bad encoding, over-long keys) before routing. */
export function frameworkErrorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  send(reply, describe(error));
}

/** At most this much of a refused body is read and dropped, and for at most this long, before the 413 is sent. */
const DRAIN_BYTES = 32 * 1024 * 1024;
const DRAIN_MS = 5_000;

/**
 * Fastify refuses an oversized body without reading the rest of it, and a 413 sent while the client is still
 * writing reaches it as a closed socket (EPIPE: 25 of 150 2 MB messages in a row). Reading the rest first, within
 * bounds, lets the client finish and read why.
 */
async function drainRefusedBody(request: FastifyRequest): Promise<void> {
  const raw = request.raw;
  if (raw.complete || raw.destroyed) return;
  await new Promise<void>((resolve) => {
    let read = 0;
    const done = () => {
      clearTimeout(timer);
      raw.off('data', onData).off('end', done).off('error', done).off('close', done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      read += chunk.length;
      if (read > DRAIN_BYTES) done();
    };
    const timer = setTimeout(done, DRAIN_MS);
    raw.on('data', onData).once('end', done).once('error', done).once('close', done);
    raw.resume();
  });
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(async (error: FastifyError | Error, request, reply) => {
    const body = describe(error);
    if (body.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    if (body.code === 'body_too_large') await drainRefusedBody(request);
    return send(reply, body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: 'route_not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` } }),
  );
}
