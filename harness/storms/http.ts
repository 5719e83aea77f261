// Plain HTTP storm for a command target: one method and path (with an optional body) at a rate, evenly or in
// bursts, or from a fixed number of virtual users (closed loop). `{{n}}` (the operation's number) and `{{seed}}` in the path and body make each request distinct.
import type { HttpStormSpec } from '../scenario/schema.ts';
import { startExecutor } from './executor.ts';
import type { Storm, StormContext, StormHandle } from './storm.ts';

export function httpStorm(spec: HttpStormSpec): Storm {
  const bodyTemplate = spec.body === undefined ? undefined : typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body);
  const headers = typeof spec.body === 'object' && !hasHeader(spec.headers, 'content-type')
    ? { ...spec.headers, 'content-type': 'application/json' }
    : spec.headers;
  return {
    kind: 'http',
    async start(ctx: StormContext): Promise<StormHandle> {
      const fill = (template: string, n: number) => template.replaceAll('{{n}}', String(n)).replaceAll('{{seed}}', String(ctx.seed));
      return startExecutor(ctx, spec, (n) => ({
        method: spec.method,
        path: fill(spec.path, n),
        headers,
        ...(bodyTemplate === undefined ? {} : { body: fill(bodyTemplate, n) }),
        ...(spec.op ? { op: spec.op } : {}),
      }));
    },
  };
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}
