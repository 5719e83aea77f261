// Spawning a sub-agent under a parent session, optionally as a tree (depth levels, fan-out children each). The
// 202 is sent once the first sub-agent's entry is durable; its work and children then run by themselves.
import type { FastifyInstance } from 'fastify';
import { assertSessionKey } from '../keys.ts';
import type { Gateway } from '../server.ts';
import { MAX_SPAWN_DEPTH, MAX_SPAWN_FANOUT } from '../sessions/work.ts';
import { SMALL_BODY_LIMIT } from './schemas.ts';

interface SpawnBody {
  parentKey: string;
  task: string;
  depth?: number;
  fanout?: number;
}

export function subagentRoutes(app: FastifyInstance, gateway: Gateway): void {
  app.post<{ Body: SpawnBody }>('/v1/subagents', {
    bodyLimit: SMALL_BODY_LIMIT,
    schema: {
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['parentKey', 'task'],
        properties: {
          parentKey: { type: 'string', minLength: 1, maxLength: 1024 },
          task: { type: 'string', minLength: 1, maxLength: 2048 },
          depth: { type: 'integer', minimum: 1, maximum: MAX_SPAWN_DEPTH },
          fanout: { type: 'integer', minimum: 0, maximum: MAX_SPAWN_FANOUT },
        },
      },
    },
    handler: async (request, reply) => {
      const { parentKey, task, depth = 1, fanout = 1 } = request.body;
      const entry = await gateway.work.spawnSubagent(assertSessionKey(parentKey), task, { depth, fanout });
      return reply.code(202).send({ key: entry.key });
    },
  });
}
