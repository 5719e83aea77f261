// Builds the gateway's fastify app from its parts (store, sessions, work, metrics); the CLI decides where it
// listens. Validation is strict: no type coercion and no silent removal of unknown fields.
import Fastify, { type FastifyInstance } from 'fastify';
import type { GatewayMetrics } from './metrics.ts';
import type { HumanSessions } from './sessions/humanSessions.ts';
import type { WorkRunner } from './sessions/work.ts';
import type { SessionStore } from './store/sessionStore.ts';
import { cronRoutes } from './routes/cron.ts';
import { frameworkErrorHandler, registerErrorHandling } from './routes/errors.ts';
import { observabilityRoutes } from './routes/observability.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { subagentRoutes } from './routes/subagents.ts';

export interface Gateway {
  store: SessionStore;
  sessions: HumanSessions;
  work: WorkRunner;
  metrics: GatewayMetrics;
}

export function buildServer(gateway: Gateway): FastifyInstance {
  const app = Fastify({
    // Only failures are logged, and to stderr: stdout carries the ready line a harness waits for.
    logger: { level: 'error', stream: process.stderr },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
    bodyLimit: 1024 * 1024,
    // Nested sub-agent keys are long once URL-encoded (each ':' becomes %3A); keys themselves stop at 1,024 characters.
    routerOptions: { maxParamLength: 4096 },
    frameworkErrors: frameworkErrorHandler,
  });
  registerErrorHandling(app);
  sessionRoutes(app, gateway);
  subagentRoutes(app, gateway);
  cronRoutes(app, gateway);
  observabilityRoutes(app, gateway);
  return app;
}
