// The built-in cron: jobs job-01..job-NN fire on their own intervals (divided by --time-scale), stop cleanly,
// and on a real gateway each firing leaves a cron run session that completes by itself.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { CronScheduler, cronJobs } from '../../src/cron/scheduler.ts';
import { call, startGateway, tempDataDir, waitFor, type GatewayProcess } from '../fixtures/gateway-process.ts';

test('names jobs job-01..job-NN and gives job-NN an interval of NN minutes divided by the time scale', () => {
  assert.deepEqual(cronJobs(3, 1), [
    { id: 'job-01', intervalMs: 60_000 },
    { id: 'job-02', intervalMs: 120_000 },
    { id: 'job-03', intervalMs: 180_000 },
  ]);
  assert.equal(cronJobs(12, 60)[11].intervalMs, 12_000);
  assert.deepEqual(cronJobs(0, 1), []);
  assert.throws(() => cronJobs(100, 1), RangeError);
});

test('fires each job on its own interval and fires nothing after stop()', async () => {
  const fired: string[] = [];
  // At time scale 3,000, job-01 fires every 20 ms and job-03 every 60 ms.
  const scheduler = new CronScheduler(cronJobs(3, 3000), async (jobId) => void fired.push(jobId), (jobId, error) => {
    throw new Error(`${jobId}: ${error}`);
  });
  scheduler.start();
  await sleep(400);
  await scheduler.stop();
  const count = (id: string) => fired.filter((jobId) => jobId === id).length;
  assert.ok(count('job-03') >= 2, `job-03 fired ${count('job-03')} times`);
  assert.ok(count('job-01') > count('job-03'), `job-01 ${count('job-01')} vs job-03 ${count('job-03')}`);
  const atStop = fired.length;
  await sleep(100);
  assert.equal(fired.length, atStop);
});

test('a failing run is reported and the job keeps its schedule', async () => {
  const errors: string[] = [];
  let attempts = 0;
  const scheduler = new CronScheduler(cronJobs(1, 6000), async () => {
    attempts += 1;
    throw new Error('store unavailable');
  }, (jobId, error) => errors.push(`${jobId}: ${(error as Error).message}`));
  scheduler.start();
  await sleep(150);
  await scheduler.stop();
  assert.ok(attempts >= 3, `attempts: ${attempts}`);
  assert.equal(errors.length, attempts);
  assert.equal(errors[0], 'job-01: store unavailable');
});

describe('cron in a running gateway', () => {
  const data = tempDataDir();
  let gateway: GatewayProcess;
  after(async () => {
    await gateway?.kill();
    data.remove();
  });

  test('the configured jobs start runs by themselves, which complete', async () => {
    // At --time-scale 600, job-01 fires every 100 ms and job-02 every 200 ms.
    gateway = await startGateway(['--store', 'dedup', '--data-dir', data.dir, '--cron-jobs', '2', '--time-scale', '600', '--prune-after', '1h']);
    const runs = await waitFor('completed runs of both jobs', async () => {
      const { body } = await call(gateway.url, 'GET', '/v1/sessions?kind=cronRun&status=completed');
      const keys: string[] = body.sessions.map((s: { key: string }) => s.key);
      const jobs = new Set(keys.map((key) => key.split(':')[3]));
      return jobs.has('job-01') && jobs.has('job-02') ? keys : undefined;
    });
    assert.ok(runs.every((key) => /^agent:main:cron:job-0[12]:run:[0-9a-f-]{36}$/.test(key)), runs.join('\n'));
    const jobsListed = (await call(gateway.url, 'GET', '/v1/sessions?kind=cron')).body.sessions.map((s: { key: string }) => s.key).sort();
    assert.deepEqual(jobsListed, ['agent:main:cron:job-01', 'agent:main:cron:job-02']);
    assert.equal(await gateway.stop(), 0);
  });
});
