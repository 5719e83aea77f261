// The command line's one error boundary and its version, on the real bin/soakgate.js: --version and -v print
// package.json's version; a user's mistake is one plain line and exit 2; an error soakgate does not expect (here a
// gate.json whose scenario entry is null, which merge reads as an object) is exit 4 with the stack and a request to
// report it, never exit 1, which CI reads as a regression.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { soakgateCli } from './fixtures/soakgateCli.ts';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'soakgate-exit-test-'));
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('--version and -v print the version alone and exit 0; --help lists them', async () => {
  for (const flag of ['--version', '-v']) {
    const { code, stdout } = await soakgateCli([flag]);
    assert.equal(code, 0);
    assert.equal(stdout, `${version}\n`);
  }
  const help = await soakgateCli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /-v, --version +print soakgate's version/);
});

test('a mistake the user can fix exits 2 with one plain line, no stack', async () => {
  const { code, stderr } = await soakgateCli(['gate', '--shard', '3/2']);
  assert.equal(code, 2);
  assert.equal(stderr, "soakgate gate: --shard takes i/n with 1 <= i <= n (for example 1/2); got '3/2'.\n");
});

test('an error soakgate does not expect exits 4 with its stack, the version and a request to report it', async () => {
  const gateDir = join(dir, 'corrupt');
  mkdirSync(gateDir);
  writeFileSync(join(gateDir, 'gate.json'), JSON.stringify({ pass: true, exitCode: 0, createdAt: 'now', scenarios: [null] }));
  const { code, stderr } = await soakgateCli(['merge', gateDir, '--out', join(dir, 'merged')]);
  assert.equal(code, 4, stderr);
  assert.match(stderr, /^TypeError: .*null/m);
  assert.match(stderr, /^ {4}at .*merge\.ts/m, 'the stack names where it broke');
  assert.match(stderr, new RegExp(`soakgate merge: internal error \\(exit 4\\) in soakgate ${version.replace(/\./g, '\\.')} on Node v\\d+`));
  assert.match(stderr, /please report this with the stack above\.\n$/);
});
