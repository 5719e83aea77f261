// The gateway's flags: defaults, durations, fixes per store, and the usage errors a person can make.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError, parseDuration, parseGatewayArgs, type GatewayOptions } from '../src/gatewayOptions.ts';

function options(argv: string[]): GatewayOptions {
  const parsed = parseGatewayArgs(argv);
  assert.notEqual(parsed, 'help');
  return parsed as GatewayOptions;
}

test('fills the documented defaults', () => {
  assert.deepEqual(parseGatewayArgs(['--store', 'dedup', '--data-dir', '/tmp/x']), {
    store: 'dedup',
    fixes: ['prune', 'dedupe', 'orphans', 'lazy'],
    dataDir: '/tmp/x',
    port: 0,
    skills: 22,
    skillsDir: undefined,
    cronJobs: 12,
    timeScale: 1,
    pruneAfterMs: 60_000,
    seedState: false,
    requestTimeoutMs: 30_000,
  });
  assert.deepEqual(options(['--store', 'naive', '--data-dir', 'd']).fixes, []);
  assert.equal(parseGatewayArgs(['--help']), 'help');
});

test('reads durations in ms, s, m and h', () => {
  assert.equal(parseDuration('--prune-after', '500ms'), 500);
  assert.equal(parseDuration('--prune-after', '60s'), 60_000);
  assert.equal(parseDuration('--prune-after', '1.5m'), 90_000);
  assert.equal(parseDuration('--prune-after', '2h'), 7_200_000);
  assert.throws(() => parseDuration('--prune-after', '60'), /--prune-after must be a duration/);
});

test('takes a subset of fixes, or none, for the dedup store only', () => {
  const base = ['--store', 'dedup', '--data-dir', 'd'];
  assert.deepEqual(options([...base, '--fixes', 'prune,lazy']).fixes, ['prune', 'lazy']);
  assert.deepEqual(options([...base, '--fixes', 'none']).fixes, []);
  assert.throws(() => parseGatewayArgs([...base, '--fixes', 'prune,fast']), /unknown fix 'fast'/);
  assert.throws(() => parseGatewayArgs(['--store', 'naive', '--data-dir', 'd', '--fixes', 'prune']), /dedup only/);
});

test('refuses each kind of mistake with a UsageError that says what to give', () => {
  const cases: [string[], RegExp][] = [
    [['--data-dir', 'd'], /--store must be naive or dedup, got nothing/],
    [['--store', 'fast', '--data-dir', 'd'], /got 'fast'/],
    [['--store', 'naive'], /--data-dir DIR is required/],
    [['--store', 'naive', '--data-dir', 'd', '--port', '70000'], /--port must be a whole number from 0 to 65535/],
    [['--store', 'naive', '--data-dir', 'd', '--time-scale', '0'], /--time-scale must be a positive number/],
    [['--store', 'naive', '--data-dir', 'd', '--cron-jobs', '100'], /--cron-jobs must be a whole number from 0 to 99/],
    [['--store', 'naive', '--data-dir', 'd', '--skills', '3', '--skills-dir', 's'], /either --skills N or --skills-dir DIR/],
    [['--store', 'naive', '--data-dir', 'd', '--verbose'], /Unknown option '--verbose'/],
  ];
  for (const [argv, message] of cases) {
    assert.throws(() => parseGatewayArgs(argv), (error: Error) => error instanceof UsageError && message.test(error.message), argv.join(' '));
  }
});
