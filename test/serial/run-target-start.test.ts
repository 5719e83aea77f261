// `soakgate run` when its command target will not start or cannot be reached, on real processes: a target that never
// gets ready is a crash said in words (exit 3), a command that cannot run at all or names no URL is a configuration
// error (exit 2) found before any load; and a target ready by its HTTP health check, with the scenario's own ready
// timeout and stop grace, runs end to end.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isRunning } from '../../harness/target/processAlive.ts';
import type { RunMeta } from '../../harness/run/runFolder.ts';
import { runScenario } from '../../harness/run/runScenario.ts';
import { parseScenario } from '../../harness/scenario/parseScenario.ts';
import type { Summary } from '../../harness/contracts/summary.ts';
import { TargetStartError } from '../../harness/target/commandTarget.ts';
import { soakgateCli, freePort } from '../fixtures/soakgateCli.ts';

const fixture = fileURLToPath(new URL('../fixtures/readinessServer.mjs', import.meta.url));
let dir: string;
const pidFiles: string[] = [];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'soakgate-target-start-'));
});

after(() => {
  const pids = pidFiles.filter(existsSync).map((file) => Number(readFileSync(file, 'utf8')));
  rmSync(dir, { recursive: true, force: true });
  for (const pid of pids) assert.equal(isRunning(pid), false, `target pid ${pid} left running`);
});

/** A scenario file for the readiness server; `command` adds to or replaces its target fields. */
function writeScenario(name: string, command: Record<string, unknown>, fields: Record<string, unknown> = {}): string {
  const pidFile = join(dir, `${name}.pid`);
  pidFiles.push(pidFile);
  const { env, ...rest } = command as { env?: Record<string, string> };
  const scenario = {
    name,
    target: { command: { argv: [process.execPath, fixture], env: { PID_FILE: pidFile, REQUEST_LOG: join(dir, `${name}-requests.log`), ...env }, ...rest } },
    duration: '2s',
    sampleInterval: '250ms',
    load: [{ kind: 'http', path: '/items/{{n}}', rate: 20 }],
    ...fields,
  };
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(scenario));
  return file;
}

/** `soakgate run <args...>` to its end. */
const soakgate = (args: string[]) => soakgateCli(['run', ...args]);

const readMeta = (out: string) => JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunMeta;

test('a target that never prints its ready line: exit 3 after the scenario\'s readyTimeout, said in words', async () => {
  const out = join(dir, 'never-ready-run');
  const file = writeScenario('never-ready', { ready: 'listening on (http://\\S+)', readyTimeout: '1s' });
  const { code, stdout, stderr } = await soakgate([file, '--out', out, '--no-report']);
  assert.equal(code, 3, stderr);
  assert.match(stdout, /the target never got ready/);
  assert.match(stdout, /did not print its ready line \(a line matching \/listening on \(http:\\\/\\\/\\S\+\)\/\) within 1 s/);
  assert.doesNotMatch(stdout + stderr, /exit code null/);
  const meta = readMeta(out);
  assert.equal(meta.exitCode, 3);
  assert.match(meta.crashed!.lastLines[0], /did not print its ready line/);
  assert.equal(existsSync(join(dir, 'never-ready-requests.log')), false, 'no load was sent');
});

test('a target whose health check never answers: exit 3, naming the URL and its last answer', async () => {
  const port = await freePort();
  const file = writeScenario('never-healthy', { port, health: '/healthz', healthInterval: '100ms', readyTimeout: '1.5s', env: { PORT: String(port), HEALTH_FAILS: 'always' } });
  const { code, stdout } = await soakgate([file, '--out', join(dir, 'never-healthy-run'), '--no-report']);
  assert.equal(code, 3);
  assert.match(stdout, new RegExp(`did not answer its health check at http://127\\.0\\.0\\.1:${port}/healthz within 1\\.5 s \\(its last answer: HTTP 503\\)`));
});

test('a missing or non-executable command is refused with exit 2 naming argv[0], before any run folder', async () => {
  const missing = writeScenario('missing-binary', { argv: ['soakgate-no-such-server', '--port', '0'], ready: 'listening on (http://\\S+)' });
  const notFound = await soakgate([missing, '--out', join(dir, 'missing-run')]);
  assert.equal(notFound.code, 2, notFound.stderr);
  assert.match(notFound.stderr, /missing-binary\.json: target\.command\.argv\[0\]: no executable 'soakgate-no-such-server' on PATH/);
  assert.equal(existsSync(join(dir, 'missing-run')), false);

  const script = join(dir, 'server.sh');
  writeFileSync(script, '#!/bin/sh\nexec node server.js\n');
  chmodSync(script, 0o644);
  const denied = await soakgate([writeScenario('not-executable', { argv: ['./server.sh'], ready: 'listening on (http://\\S+)' }), '--out', join(dir, 'denied-run')]);
  assert.equal(denied.code, 2, denied.stderr);
  assert.match(denied.stderr, /target\.command\.argv\[0\]: .*server\.sh is not executable/);
});

test('a command that cannot be spawned when the run starts is a configuration error, not a crash', async () => {
  // parseScenario checks no files (loadScenario does): this is the command gone between loading and starting.
  const scenario = parseScenario(JSON.parse(readFileSync(writeScenario('gone', { argv: [join(dir, 'gone-server')], ready: 'listening on (http://\\S+)' }), 'utf8')), join(dir, 'gone.json'));
  const out = join(dir, 'gone-run');
  await assert.rejects(runScenario(scenario, { out }), (err: unknown) => {
    assert.ok(err instanceof TargetStartError && err.configuration, `expected a configuration error, got ${err}`);
    assert.match(err.message, /could not be started: no executable '.*gone-server' was found .*\(ENOENT\)/);
    return true;
  });
  const meta = readMeta(out);
  assert.equal(meta.exitCode, 2);
  assert.equal(meta.crashed, undefined);
});

test('a scenario with no way to know the URL or the readiness is refused with exit 2, saying what to add', async () => {
  const noGroup = await soakgate([writeScenario('no-group', { ready: 'listening on http://\\S+' })]);
  assert.equal(noGroup.code, 2);
  assert.match(noGroup.stderr, /target\.command\.ready: nothing gives the target's URL.*add a group capturing the base URL.*or "url".*or "port"/);
  const noReadiness = await soakgate([writeScenario('no-readiness', { url: 'http://127.0.0.1:8080' })]);
  assert.equal(noReadiness.code, 2);
  assert.match(noReadiness.stderr, /target\.command: nothing says when the target is ready: add "ready" .* or "health"/);
});

test('a ready line that captures no URL at run time exits 2 before any load reaches the target', async () => {
  const out = join(dir, 'no-url-run');
  const file = writeScenario('no-url', { ready: '\\[gateway\\] http server (listening)', env: { SAY: '\u001b[35m[gateway]\u001b[39m http server listening (3 plugins)' } });
  const { code, stderr } = await soakgate([file, '--out', out, '--no-report']);
  assert.equal(code, 2, stderr);
  assert.match(stderr, /printed its ready line "\[gateway\] http server listening \(3 plugins\)" but its pattern's group captured "listening", not a URL; add "url"/);
  assert.equal(existsSync(join(dir, 'no-url-requests.log')), false, 'no load was sent');
  assert.equal(readMeta(out).exitCode, 2);
});

test('a target ready by its health check at `port`, with no ready line, runs and takes the load; its stop grace is the scenario\'s', async () => {
  const port = await freePort();
  const out = join(dir, 'health-run');
  // It drains for 6 s on SIGTERM: longer than the default grace (5 s), well within this scenario's.
  const file = writeScenario('health', { port, health: '/healthz', healthInterval: '100ms', stopGrace: '60s', env: { PORT: String(port), HEALTH_FAILS: '3', DRAIN_MS: '6000' } });
  const { code, stdout, stderr } = await soakgate([file, '--out', out, '--no-report', '--snapshots', 'never']);
  assert.equal(code, 0, stderr);
  assert.match(stderr + stdout, new RegExp(`ready at http://127\\.0\\.0\\.1:${port} in \\d+ ms`));
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
  assert.ok(summary.operations.requests > 0 && !summary.operations.errors, `requests ${summary.operations.requests}, errors ${summary.operations.errors}`);
  assert.ok(readFileSync(join(dir, 'health-requests.log'), 'utf8').includes('GET /items/'), 'the load reached it');
  assert.match(readFileSync(join(out, 'target.log'), 'utf8'), /^drained$/m, 'it finished draining instead of being killed');
});
