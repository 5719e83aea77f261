// The two target adapters (docs/ARCHITECTURE.md, "Targets") against real processes: the gateway's readings come
// from its GET /v1/stats, and from sessions.json on disk while it does not answer; a command's are its watched
// files; each launches its process with the probe's environment and the run's own variables, and the gateway's
// with V8's young generation at its full size.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { commandAdapter } from '../harness/target/commandAdapter.ts';
import { CommandTarget, type CommandTargetSpec } from '../harness/target/commandTarget.ts';
import { ProbeClient } from '../harness/probe/probeClient.ts';
import { gatewayAdapter, gatewaySessionsFile } from '../harness/target/gatewayTarget.ts';
import type { TargetLaunch } from '../harness/target/targetAdapter.ts';
import { isRunning } from '../harness/target/processAlive.ts';

let dir: string;
const pids: number[] = [];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'soakgate-adapters-test-'));
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
  for (const pid of pids) assert.equal(isRunning(pid), false, `target pid ${pid} is still alive`);
});

function launch(logName: string): TargetLaunch {
  return {
    probeEnv: (nodeOptions) => ({ NODE_OPTIONS: `${nodeOptions ?? ''} --enable-source-maps`.trim() }),
    env: { SOAKGATE_RUN_DIR: dir },
    logFile: join(dir, logName),
  };
}

test('the gateway reads its metrics from GET /v1/stats, and sessions.json from disk while it is down', async () => {
  const dataDir = join(dir, 'gateway');
  const adapter = gatewayAdapter({ store: 'dedup', dataDir, skills: 2, cronJobs: 0 }, { readyTimeoutMs: 30_000, stopGraceMs: 5_000 });
  assert.equal(adapter.label, 'gateway:dedup');
  const spec = adapter.process(launch('gateway.log'));
  assert.equal(spec.env?.SOAKGATE_RUN_DIR, dir);
  assert.match(spec.env?.NODE_OPTIONS ?? '', /--enable-source-maps/);
  const target = new CommandTarget(spec);
  try {
    await target.start();
    pids.push(target.pid!);
    const created = await fetch(`${target.baseUrl}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'telegram', peer: 'adapter-test' }),
    });
    assert.ok(created.ok, `a session opened: HTTP ${created.status}`);

    const live = await adapter.readings.read(target.baseUrl, 2_000);
    const statsMetrics = ['orphanTranscripts', 'sessionCount', 'sessionsFileBytes', 'skillSnapshotBlobs', 'transcriptBytes', 'transcriptFiles'];
    assert.deepEqual(Object.keys(live.metrics).sort(), statsMetrics, 'every figure of /v1/stats, and only those');
    assert.ok(live.metrics.sessionCount >= 1, `sessionCount ${live.metrics.sessionCount}`);
    assert.ok(live.sessions && Object.keys(live.sessions.byKind).length > 0, 'sessions by kind');

    await target.stop();
    assert.ok(existsSync(gatewaySessionsFile(dataDir)), 'the gateway wrote sessions.json');
    const down = await adapter.readings.read(null, 2_000);
    assert.deepEqual(Object.keys(down.metrics), ['sessionsFileBytes']);
    assert.ok(down.metrics.sessionsFileBytes > 0);
  } finally {
    await target.stop();
    await target.close();
  }
});

test("the gateway starts with V8's young generation at its full size, which on V8's defaults it grows to later", async () => {
  const probe = await ProbeClient.listen();
  const youngGeneration = async (spec: CommandTargetSpec) => {
    const target = new CommandTarget(spec);
    try {
      await target.start();
      pids.push(target.pid!);
      assert.equal(await probe.waitFor(target.pid!, 10_000), true, `the probe connected to ${spec.label}`);
      return (await probe.sample(target.pid!, 5_000))?.youngGenerationBytes;
    } finally {
      await target.stop();
      await target.close();
    }
  };
  try {
    const withProbe: TargetLaunch = { ...launch('young.log'), probeEnv: (nodeOptions) => probe.targetEnv(nodeOptions ?? '') };
    const gateway = gatewayAdapter({ store: 'dedup', dataDir: join(dir, 'young'), skills: 2, cronJobs: 0 }, { readyTimeoutMs: 30_000, stopGraceMs: 5_000 });
    const atStart = await youngGeneration(gateway.process(withProbe));
    // Two semi-spaces of 16 MiB, Node 20's limit.
    assert.equal(atStart, 32 * 2 ** 20, `the gateway's young generation at start: ${atStart}`);
    // The same gateway on V8's defaults (bench:warmup --v8-defaults) starts it smaller and grows it under load.
    process.env.SOAKGATE_GATEWAY_V8_DEFAULTS = '1';
    const onDefaults = gatewayAdapter({ store: 'dedup', dataDir: join(dir, 'young-defaults'), skills: 2, cronJobs: 0 }, { readyTimeoutMs: 30_000, stopGraceMs: 5_000 });
    delete process.env.SOAKGATE_GATEWAY_V8_DEFAULTS;
    const grownLater = await youngGeneration(onDefaults.process(withProbe));
    assert.ok(grownLater !== undefined && grownLater > 0 && grownLater < 32 * 2 ** 20, `on V8's defaults, at start: ${grownLater}`);
  } finally {
    await probe.close();
  }
});

test('a command reads its watched files that exist, as file:<label>, and keeps its own NODE_OPTIONS beside the probe\'s', async () => {
  const written = join(dir, 'written.log');
  writeFileSync(written, 'twelve bytes');
  const adapter = commandAdapter({
    argv: [process.execPath, 'server.mjs', '--port', '0'],
    cwd: dir,
    env: { NODE_OPTIONS: '--max-old-space-size=256' },
    ready: 'listening on (http://\\S+)',
    healthInterval: 0.5,
    readyTimeout: 30,
    stopGrace: 5,
    files: { written, missing: join(dir, 'never-written.log') },
  });
  assert.equal(adapter.label, 'command:server.mjs');
  assert.deepEqual((await adapter.readings.read(null, 1_000)).metrics, { 'file:written': 12 });
  const spec = adapter.process(launch('command.log'));
  assert.equal(spec.env?.NODE_OPTIONS, '--max-old-space-size=256 --enable-source-maps');
  assert.equal(spec.env?.SOAKGATE_RUN_DIR, dir);
  assert.deepEqual([spec.readyTimeoutMs, spec.stopGraceMs, spec.logFile], [30_000, 5_000, join(dir, 'command.log')]);
});
