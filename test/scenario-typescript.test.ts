// A user's `.ts` scenario kept in their own repository, where no package.json says "type": "module", loads through
// the real `soakgate run` command (whose tsx hooks are ESM-only): its field errors are reported by name, and a good
// one runs.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isRunning } from '../harness/target/processAlive.ts';
import type { RunMeta } from '../harness/run/runFolder.ts';
import { soakgateCli } from './fixtures/soakgateCli.ts';

const fixture = fileURLToPath(new URL('./fixtures/tinyServer.mjs', import.meta.url));
const HARNESS_ENTRY = fileURLToPath(new URL('../harness/index.ts', import.meta.url));
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'soakgate-ts-scenario-'));
  // The point of the test: no package.json anywhere above the scenario file.
  for (let at = dir; at !== dirname(at); at = dirname(at)) assert.equal(existsSync(join(at, 'package.json')), false, `${at}/package.json`);
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** `soakgate run <args...>` to its end. */
const soakgate = (args: string[]) => soakgateCli(['run', ...args]);

function writeTsScenario(name: string, fields: Record<string, unknown>): string {
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, `import { defineScenario } from ${JSON.stringify(HARNESS_ENTRY)};\n\nexport default defineScenario(${JSON.stringify({ name, ...fields }, null, 2)});\n`);
  return file;
}

const tinyTarget = { command: { argv: [process.execPath, fixture], ready: 'listening on (http://\\S+)' } };

test('a .ts scenario outside a "type": "module" folder with a field error is refused with exit 2 naming the field', async () => {
  const file = writeTsScenario('bad-ts', { target: tinyTarget, duration: '3s', load: [{ kind: 'http', path: 'no-slash', rate: 5 }] });
  const { code, stderr } = await soakgate([file, '--out', join(dir, 'bad-run')]);
  assert.equal(code, 2, stderr);
  assert.match(stderr, /bad-ts\.ts: load\[0\]\.path: expected a path starting with \//);
  assert.doesNotMatch(stderr, /require|cycle/);
});

test('a .ts scenario with no imports and a plain default export is read the same way', async () => {
  const file = join(dir, 'plain.ts');
  writeFileSync(file, `const scenario = { name: 'plain', target: ${JSON.stringify(tinyTarget)}, duration: 'soon' };\nexport default scenario;\n`);
  const { code, stderr } = await soakgate([file]);
  assert.equal(code, 2, stderr);
  assert.match(stderr, /plain\.ts: duration: expected a duration such as 500ms/);
});

test('a good .ts scenario outside a "type": "module" folder runs to the end', async () => {
  const out = join(dir, 'good-run');
  const file = writeTsScenario('good-ts', { target: tinyTarget, duration: '2s', sampleInterval: '250ms', load: [{ kind: 'http', path: '/x', rate: 20 }] });
  const { code, stdout, stderr } = await soakgate([file, '--out', out, '--no-report', '--snapshots', 'never']);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /good-ts on command:tinyServer\.mjs: finished/);
  const meta = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunMeta;
  for (const pid of meta.targetPids) assert.equal(isRunning(pid), false, `target pid ${pid} left running`);
});
