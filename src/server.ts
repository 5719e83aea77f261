// Builds the gateway's fastify app from its parts (store, sessions, work, metrics); the CLI decides where it
// listens. Validation is strict: no type coercion and no silent removal of unknown fields.
import Fastify, { type FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { CronJob } from './cron/scheduler.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { HumanSessions } from './sessions/humanSessions.ts';
import type { WorkRunner } from './sessions/work.ts';
import type { SharedStats } from './stats.ts';
import type { SessionStore } from './store/sessionStore.ts';
import { cronRoutes } from './routes/cron.ts';
import { frameworkErrorHandler, registerErrorHandling } from './routes/errors.ts';
import { refuseNonLocalRequests } from './routes/localOnly.ts';
import { observabilityRoutes } from './routes/observability.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { subagentRoutes } from './routes/subagents.ts';

export interface Gateway {
  store: SessionStore;
  /** The jobs this gateway runs; a run of any other id is refused. */
  cronJobs: readonly CronJob[];
  sessions: HumanSessions;
  work: WorkRunner;
  stats: SharedStats;
  metrics: GatewayMetrics;
}

/** Node checks unfinished requests against the timeouts this often; a quarter of the timeout keeps the overshoot small. */
function checkingIntervalMs(requestTimeoutMs: number): number {
  return Math.max(50, Math.min(1000, requestTimeoutMs / 4));
}

/**
 * `requestTimeoutMs`: a request's headers and body must both have arrived within it, or it gets a 408 and its
 * connection is closed (a client that declares 1,000 body bytes and sends 20 would otherwise hold a socket for
 * good). It bounds only receiving: answering may take longer, as a naive store's write of a large file does.
 */
export function buildServer(gateway: Gateway, { requestTimeoutMs }: { requestTimeoutMs: number }): FastifyInstance {
  const app = Fastify({
    requestTimeout: requestTimeoutMs,
    // An idle kept-alive connection is closed after this (fastify's default, stated here because it is a bound).
    keepAliveTimeout: 72_000,
    http: { headersTimeout: requestTimeoutMs, connectionsCheckingInterval: checkingIntervalMs(requestTimeoutMs) },
    // Only failures are logged, and to stderr: stdout carries the ready line a harness waits for.
    logger: { level: 'error', stream: process.stderr },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
    bodyLimit: 1024 * 1024,
    // Nested sub-agent keys are long once URL-encoded (each ':' becomes %3A); keys themselves stop at 1,024 characters.
    routerOptions: { maxParamLength: 4096 },
    frameworkErrors: frameworkErrorHandler,
  });
  // A connection that never sends a byte is answered 408 by Node's header timer (checked every interval, from the
  // connection's start); this idle timer, two intervals later so that the 408 always comes first, only backs it up.
  // From its first request on, the request timeout and the keep-alive timeout bound it instead.
  const idleMs = requestTimeoutMs + 2 * checkingIntervalMs(requestTimeoutMs);
  app.server.on('connection', (socket: Socket) => socket.setTimeout(idleMs, () => socket.destroy()));
  app.server.on('request', (request: IncomingMessage) => request.socket.setTimeout(0));
  // Every route takes JSON: without fastify's default text/plain parser, a text body is answered 415 like any other
  // non-JSON body, instead of reaching the schema as a string and being answered 400.
  app.removeContentTypeParser('text/plain');
  registerErrorHandling(app);
  refuseNonLocalRequests(app);
  sessionRoutes(app, gateway);
  subagentRoutes(app, gateway);
  cronRoutes(app, gateway);
  observabilityRoutes(app, gateway);
  return app;
}
