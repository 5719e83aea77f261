// Running a cron job now (what the scheduler does on its interval): the job's session and a new run session are
// written, the 202 is sent once they are durable, and the run then completes by itself. Only a configured job runs.
import type { FastifyInstance } from 'fastify';
import { UnknownCronJobError } from '../cron/scheduler.ts';
import type { Gateway } from '../server.ts';
import { SEGMENT_SCHEMA, SMALL_BODY_LIMIT, emptyBodyAsObject } from './schemas.ts';

export function cronRoutes(app: FastifyInstance, gateway: Gateway): void {
  app.post<{ Params: { jobId: string } }>('/v1/cron/:jobId/run', {
    bodyLimit: SMALL_BODY_LIMIT,
    schema: {
      params: { type: 'object', additionalProperties: false, required: ['jobId'], properties: { jobId: SEGMENT_SCHEMA } },
      body: { type: 'object', additionalProperties: false, properties: {} },
    },
    preValidation: emptyBodyAsObject,
    handler: async (request, reply) => {
      const { jobId } = request.params;
      if (!gateway.cronJobs.some((job) => job.id === jobId)) throw new UnknownCronJobError(jobId, gateway.cronJobs);
      const entry = await gateway.work.runCronJob(jobId);
      return reply.code(202).send({ key: entry.key });
    },
  });
}
