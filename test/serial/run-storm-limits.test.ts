// A storm's request limits come from its scenario: against a real server that never answers, `requestTimeout` turns
// each unanswered request into an error after that long, and `maxInFlight` caps what is outstanding (the rest is
// counted as skipped).
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { OpCounter } from '../../harness/sampling/opCounter.ts';
import { parseScenario } from '../../harness/scenario/parseScenario.ts';
import type { HttpStormSpec } from '../../harness/scenario/schema.ts';
import { httpStorm } from '../../harness/storms/http.ts';
import { StormTally } from '../../harness/storms/stormTally.ts';

let server: http.Server;
let baseUrl: string;
let open = 0;
let mostOpen = 0;
const held = new Set<http.ServerResponse>();

before(async () => {
  // Never answers: every request stays open until the client gives up on it.
  server = http.createServer((req, res) => {
    open++;
    mostOpen = Math.max(mostOpen, open);
    held.add(res);
    req.resume();
    res.on('close', () => {
      open--;
      held.delete(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

after(async () => {
  for (const res of held) res.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function stormSpec(fields: Record<string, unknown>): HttpStormSpec {
  const scenario = parseScenario(
    { name: 'limits', target: { command: { argv: ['node', 'server.js'], ready: '(http://\\S+)' } }, duration: '1m', load: [{ kind: 'http', path: '/slow/{{n}}', ...fields }] },
    '/work/limits.json',
  );
  return scenario.load[0] as HttpStormSpec;
}

test('an unanswered request is an error after the storm\'s requestTimeout, and no more than maxInFlight are outstanding', async () => {
  const spec = stormSpec({ rate: 40, requestTimeout: '1s', maxInFlight: 3 });
  assert.equal(spec.requestTimeout, 1);
  assert.equal(spec.maxInFlight, 3);
  const opCounter = new OpCounter();
  const handle = await httpStorm(spec).start({ baseUrl, seed: 1, timeScale: 1, opCounter, tally: new StormTally() });
  try {
    // With the default 30 s timeout no error could come within the 30 s this waits at most.
    const deadline = Date.now() + 30_000;
    while ((opCounter.totals().errors ?? 0) < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    await handle.stop();
  }
  const totals = opCounter.totals();
  assert.ok((totals.errors ?? 0) >= 3, `errors: ${totals.errors}`);
  assert.ok((totals.skipped ?? 0) > 0, 'operations due while 3 were outstanding were skipped');
  assert.ok(mostOpen <= 3, `${mostOpen} requests were outstanding at once`);
});
