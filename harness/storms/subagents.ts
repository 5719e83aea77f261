// Sub-agent spawn storm: POST /v1/subagents under one parent human session, at a rate (evenly or in bursts) or
// from a fixed number of virtual users; the
// gateway grows each spawn into a tree of `fanout` children per level down to `depth`.
import type { SubagentStormSpec } from '../scenario/schema.ts';
import { openHumanSession } from './humanSession.ts';
import { startExecutor } from './executor.ts';
import type { Storm, StormContext, StormHandle } from './storm.ts';

const TASKS = ['triage the inbox', 'summarise the standup notes', 'check the deploy logs', 'draft a reply', 'review the open pull requests'];

export function subagentStorm(spec: SubagentStormSpec): Storm {
  return {
    kind: 'subagents',
    async start(ctx: StormContext): Promise<StormHandle> {
      const parent = await openHumanSession(ctx, 'cli', `storm-parent-${ctx.seed}`, spec.requestTimeout).result;
      if ('error' in parent) throw new Error(`the sub-agent storm could not open its parent session at ${ctx.baseUrl}: ${parent.error}`);
      return startExecutor(ctx, spec, (n) => ({
        method: 'POST',
        path: '/v1/subagents',
        body: { parentKey: parent.key, task: `${TASKS[(n + ctx.seed) % TASKS.length]} #${n}`, depth: spec.depth, fanout: spec.fanout },
        op: 'subagents',
      }));
    },
  };
}
