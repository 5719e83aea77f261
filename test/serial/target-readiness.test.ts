// How a command target gets ready, on real child processes: a coloured ready line, an HTTP health check polled until
// it answers, the base URL from `url` when the output names none, and every way of not getting ready said in words
// (never printed, never healthy, exited, no URL, cannot be run at all); and the stop grace it is given.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isRunning } from '../../harness/target/processAlive.ts';
import { CommandTarget, TargetStartError, type CommandTargetSpec } from '../../harness/target/commandTarget.ts';
import { freePort } from '../fixtures/soakgateCli.ts';

const fixture = fileURLToPath(new URL('../fixtures/readinessServer.mjs', import.meta.url));
const URL_LINE = /listening on (http:\/\/\S+)/;
let dir: string;
const targets: CommandTarget[] = [];
const pids = new Set<number>();
let pidFiles = 0;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'soakgate-readiness-'));
});

afterEach(async () => {
  for (const target of targets.splice(0)) {
    if (target.pid !== null) pids.add(target.pid);
    await target.stop();
    await target.close();
  }
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
  for (const pid of pids) assert.equal(isRunning(pid), false, `target pid ${pid} left running`);
});

/** A readiness server target; its pid is recorded (through PID_FILE) so the test can prove it is gone. */
function serverTarget(env: Record<string, string>, spec: Partial<CommandTargetSpec>): { target: CommandTarget; pid: () => number } {
  const pidFile = join(dir, `pid-${++pidFiles}`);
  const target = new CommandTarget({ label: 'command:readinessServer.mjs', argv: [process.execPath, fixture], env: { PID_FILE: pidFile, ...env }, ...spec });
  targets.push(target);
  return {
    target,
    pid: () => {
      const pid = Number(readFileSync(pidFile, 'utf8'));
      pids.add(pid);
      return pid;
    },
  };
}

async function startFails(target: CommandTarget): Promise<TargetStartError> {
  try {
    await target.start();
  } catch (err) {
    assert.ok(err instanceof TargetStartError, `expected a TargetStartError, got ${err}`);
    return err;
  }
  assert.fail('the target got ready');
}

async function gone(pid: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (isRunning(pid)) {
    if (Date.now() > deadline) assert.fail(`pid ${pid} still running 20 s after its start failed`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('a ready line in colour matches its pattern once the colour codes are stripped', async () => {
  const { target } = serverTarget({ SAY: '\u001b[32m[server]\u001b[39m listening on \u001b[1m{url}\u001b[22m' }, { ready: URL_LINE });
  await target.start();
  assert.match(target.baseUrl!, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal((await fetch(`${target.baseUrl}/x`)).status, 200, 'the captured URL is the server');
  assert.ok(target.lastLines().some((line) => line === '[server] listening on ' + target.baseUrl), 'lines are kept without colour codes');
});

test('ready by its health URL alone: polled until it answers 2xx, the base URL from `url`', async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { target } = serverTarget({ PORT: String(port), HEALTH_FAILS: '3' }, { url, health: '/healthz', healthIntervalMs: 50 });
  await target.start();
  assert.equal(target.baseUrl, url);
  assert.equal(await (await fetch(`${url}/health-asked`)).text(), '4', 'ready on the first 200, after three 503s');
});

test('a ready line without a URL is followed by its health check, the base URL from `url`', async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { target } = serverTarget(
    { PORT: String(port), SAY: '\u001b[36m[gateway]\u001b[39m http server listening (3 plugins; 0.2s)', HEALTH_FAILS: '2' },
    { ready: /http server listening/, url, health: '/healthz', healthIntervalMs: 50 },
  );
  await target.start();
  assert.equal(target.baseUrl, url);
  assert.equal(await (await fetch(`${url}/health-asked`)).text(), '3');
});

test('a health check given as a full URL gives the base URL too', async () => {
  const port = await freePort();
  const { target } = serverTarget({ PORT: String(port) }, { health: `http://127.0.0.1:${port}/healthz`, healthIntervalMs: 50 });
  await target.start();
  assert.equal(target.baseUrl, `http://127.0.0.1:${port}`);
});

test('a target that never prints its ready line is reported in words after its ready timeout, and stopped', async () => {
  const { target, pid } = serverTarget({}, { ready: URL_LINE, readyTimeoutMs: 1_000 });
  const err = await startFails(target);
  assert.match(err.message, /did not print its ready line \(a line matching .*listening on.*\) within 1 s$/);
  assert.doesNotMatch(err.message, /exit code|null/);
  assert.equal(err.configuration, false);
  assert.equal(err.exit, null);
  await gone(pid());
});

test('a target whose health check never answers 2xx is reported with its last answer, and stopped', async () => {
  const port = await freePort();
  const { target, pid } = serverTarget(
    { PORT: String(port), HEALTH_FAILS: 'always' },
    { url: `http://127.0.0.1:${port}`, health: '/healthz', healthIntervalMs: 50, readyTimeoutMs: 1_500 },
  );
  const err = await startFails(target);
  assert.match(err.message, new RegExp(`did not answer its health check at http://127\\.0\\.0\\.1:${port}/healthz within 1\\.5 s \\(its last answer: HTTP 503\\)`));
  assert.equal(err.configuration, false);
  await gone(pid());
});

test('a target that exits while starting says how it exited', async () => {
  const { target } = serverTarget({ EXIT_AT_ONCE: '1' }, { ready: URL_LINE });
  const err = await startFails(target);
  assert.match(err.message, /exited before it was ready \(exit code 4\)/);
  assert.equal(err.exit?.code, 4);
  assert.equal(err.configuration, false);
});

test('a ready line that names no URL, with no `url` to fall back on, is a configuration error naming what to add', async () => {
  const requestLog = join(dir, 'no-url-requests.log');
  const { target, pid } = serverTarget({ SAY: '[gateway] http server listening (3 plugins)', REQUEST_LOG: requestLog }, { ready: /http server listening(.*)$/ });
  const err = await startFails(target);
  assert.equal(err.configuration, true);
  assert.match(err.message, /printed its ready line "\[gateway\] http server listening \(3 plugins\)" but its pattern's group captured " \(3 plugins\)", not a URL; add "url"/);
  assert.equal(target.baseUrl, null);
  await gone(pid());
  assert.equal(existsSync(requestLog), false, 'nothing was sent to it');
});

test('a command that does not exist, or is not executable, cannot be started: a configuration error', async () => {
  const missing = new CommandTarget({ label: 'command:missing', argv: [join(dir, 'no-such-server')], ready: URL_LINE });
  targets.push(missing);
  const notFound = await startFails(missing);
  assert.equal(notFound.configuration, true);
  assert.match(notFound.message, /could not be started: no executable '.*no-such-server' was found .*\(ENOENT\)/);
  assert.equal(missing.running, false);

  const script = join(dir, 'server.sh');
  writeFileSync(script, '#!/bin/sh\necho listening on http://127.0.0.1:1\n');
  chmodSync(script, 0o644);
  const notExecutable = new CommandTarget({ label: 'command:server.sh', argv: [script], ready: URL_LINE });
  targets.push(notExecutable);
  const denied = await startFails(notExecutable);
  assert.equal(denied.configuration, true);
  assert.match(denied.message, /could not be started: '.*server\.sh' is not executable .*\(EACCES\)/);
});

test('stop gives SIGTERM its grace: a long grace lets a draining target finish, a short one ends in SIGKILL', async () => {
  const draining = serverTarget({ SAY: 'listening on {url}', DRAIN_MS: '1500' }, { ready: URL_LINE, stopGraceMs: 60_000 });
  await draining.target.start();
  const drained = await draining.target.stop();
  assert.deepEqual({ code: drained?.code, signal: drained?.signal }, { code: 0, signal: null });
  assert.ok(drained!.lastLines.includes('drained'));

  const hung = serverTarget({ SAY: 'listening on {url}', IGNORE_TERM: '1' }, { ready: URL_LINE, stopGraceMs: 200 });
  await hung.target.start();
  const killed = await hung.target.stop();
  assert.equal(killed?.signal, 'SIGKILL');
});
