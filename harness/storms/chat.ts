// Human chat storm: posts messages at a rate or from a fixed number of virtual users, into a human session it
// opens, moving to a new session after `messagesPerSession` messages, as people starting new conversations do.
import type { ChatStormSpec } from '../scenario/schema.ts';
import { openHumanSession, type PendingSession } from './humanSession.ts';
import { startExecutor } from './executor.ts';
import type { Storm, StormContext, StormHandle } from './storm.ts';

const LINES = [
  'can you look at why the nightly build failed?',
  'summarise what changed in the billing service this week',
  'remind me to renew the certificate on Friday',
  'what did the on-call notes say about the outage?',
  'draft a short status update for the team',
  'thanks, that is all for now',
];

export function chatStorm(spec: ChatStormSpec): Storm {
  return {
    kind: 'chat',
    async start(ctx: StormContext): Promise<StormHandle> {
      let sessionNo = 0;
      let sentOnSession = 0;
      let key: string | null = null;
      let opening: PendingSession | null = null;

      const openNext = () => {
        const pending = openHumanSession(ctx, spec.channel, `storm-${ctx.seed}-${sessionNo}`, spec.requestTimeout);
        opening = pending;
        return pending.result.then((result) => {
          opening = null;
          if ('key' in result) key = result.key;
          return result;
        });
      };

      const first = await openNext();
      if ('error' in first) throw new Error(`the chat storm could not open a session at ${ctx.baseUrl}: ${first.error}`);
      // While the next session is being opened, messages wait (a failed open is retried when a message is next due).
      const driver = startExecutor(ctx, spec, (n) => {
        if (key === null) {
          if (opening === null) void openNext();
          return null;
        }
        const request = {
          method: 'POST' as const,
          path: `/v1/sessions/${encodeURIComponent(key)}/messages`,
          body: { role: 'user', text: LINES[(n + ctx.seed) % LINES.length] },
          op: 'chats',
        };
        if (++sentOnSession >= spec.messagesPerSession) {
          sentOnSession = 0;
          sessionNo++;
          key = null;
        }
        return request;
      });
      return {
        pause: () => driver.pause(),
        resume: () => driver.resume(),
        async stop() {
          const pending = opening as PendingSession | null;
          pending?.stop();
          await Promise.all([driver.stop(), pending?.result]);
        },
      };
    },
  };
}
