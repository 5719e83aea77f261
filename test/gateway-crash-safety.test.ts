// Crash safety: SIGKILL the gateway in the middle of a write storm, round after round on the same data dir. After
// every kill sessions.json must parse, and every create and message acknowledged with a 2xx must be there.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { seededRandom } from '../lib/seededRandom.ts';
import { startGateway, tempDataDir, type GatewayProcess } from './fixtures/gateway-process.ts';
import { findLost, noneAcknowledged, writeStorm, type Acknowledged } from './fixtures/writeStorm.ts';

const ROUNDS = 8;
const WORKERS = 12;
const MAX_REQUESTS_PER_ROUND = 3000;

/** Kill delays that differ per round but are the same on every run of the test. */
function killDelaysMs(count: number): number[] {
  const random = seededRandom(55334);
  return Array.from({ length: count }, () => 150 + Math.floor(random() * 600));
}

async function assertAllAcknowledgedPresent(gateway: GatewayProcess, acked: Acknowledged, when: string): Promise<void> {
  const lost = await findLost(gateway, acked);
  assert.deepEqual(lost.sessions, [], `${when}: ${lost.sessions.length} acknowledged sessions missing`);
  assert.deepEqual([...lost.messages], [], `${when}: chats missing acknowledged messages`);
}

for (const store of ['naive', 'dedup'] as const) {
  describe(`crash safety of the ${store} store`, () => {
    const data = tempDataDir();
    let gateway: GatewayProcess | undefined;
    after(async () => {
      await gateway?.kill();
      data.remove();
    });

    test(`${ROUNDS} SIGKILLs mid-storm lose no acknowledged write and never leave a sessions.json that does not parse`, async () => {
      // A long retention, so that the dedup store does not prune acknowledged sub-agents between rounds.
      const args = ['--store', store, '--data-dir', data.dir, '--cron-jobs', '0', '--time-scale', '10', '--prune-after', '1h'];
      const sessionsFile = join(data.dir, 'agents/main/sessions/sessions.json');
      const acked = noneAcknowledged();
      const delays = killDelaysMs(ROUNDS);
      for (let round = 0; round < ROUNDS; round++) {
        gateway = await startGateway(args);
        await assertAllAcknowledgedPresent(gateway, acked, `after kill ${round}`);
        const ackedBefore = acked.creates.size;
        const storm = writeStorm(gateway, round, acked, { workers: WORKERS, maxRequests: MAX_REQUESTS_PER_ROUND });
        await sleep(delays[round]);
        await gateway.kill();
        const sent = await storm;
        assert.ok(sent < MAX_REQUESTS_PER_ROUND, `round ${round}: the storm ended before the kill, so the kill hit no write`);
        assert.ok(acked.creates.size > ackedBefore, `round ${round}: no create was acknowledged before the kill`);
        assert.doesNotThrow(() => JSON.parse(readFileSync(sessionsFile, 'utf8')), `round ${round}: sessions.json does not parse`);
      }
      gateway = await startGateway(args);
      await assertAllAcknowledgedPresent(gateway, acked, `after kill ${ROUNDS}`);
      assert.equal(await gateway.stop(), 0);
    });
  });
}
