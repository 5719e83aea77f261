// What a harness or a person reads to watch the gateway: liveness, the JSON figures and their Prometheus form.
import type { FastifyInstance } from 'fastify';
import type { Gateway } from '../server.ts';

export function observabilityRoutes(app: FastifyInstance, gateway: Gateway): void {
  app.get('/healthz', async () => ({ status: 'ok', store: gateway.store.kind, uptimeSeconds: process.uptime() }));

  app.get('/v1/stats', async () => gateway.stats.gather());

  app.get('/metrics', async (_request, reply) => {
    const text = await gateway.metrics.render();
    return reply.type(gateway.metrics.contentType).send(text);
  });
}
