// Loading scenario files: the shipped scenarios load, .ts and .json files of the same shape load alike, and a
// file that cannot be used is refused before anything starts, with the file and the reason in the message.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../harness/scenario/loadScenario.ts';
import { ScenarioError } from '../harness/scenario/scenarioError.ts';

const SCENARIOS = fileURLToPath(new URL('../scenarios/', import.meta.url));
const HARNESS_ENTRY = fileURLToPath(new URL('../harness/index.ts', import.meta.url));

async function refusedWith(path: string, pattern: RegExp): Promise<void> {
  await assert.rejects(loadScenario(path), (error: unknown) => {
    assert.ok(error instanceof ScenarioError, `expected a ScenarioError, got ${error}`);
    assert.ok(error.message.includes(path), `the message names the file: ${error.message}`);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('the shipped scenarios', () => {
  it('all load, and include the five the harness promises', async () => {
    // openclaw.ts loads only once its install step has run: test/example-openclaw.test.ts loads it.
    const files = readdirSync(SCENARIOS).filter((f) => /\.(ts|json)$/.test(f) && f !== 'openclaw.ts');
    const names = [];
    for (const file of files) names.push((await loadScenario(join(SCENARIOS, file))).name);
    for (const name of ['production-mix', 'subagent-storm', 'cron-storm', 'restart-orphans', 'ci-gate']) assert.ok(names.includes(name), name);
    assert.ok(files.some((f) => f.endsWith('.json')), 'at least one .json scenario');
  });
  it('ci-gate is about a minute, time-compressed and budgeted', async () => {
    const s = await loadScenario(join(SCENARIOS, 'ci-gate.ts'));
    assert.ok(s.duration <= 75 && s.duration >= 45, `duration ${s.duration}`);
    assert.ok(s.timeScale > 1);
    for (const metric of ['rssBytes', 'heapFloorBytes', 'sessionsFileBytes']) assert.ok(s.budgets[metric], metric);
  });
  it('production-mix is the reporter setup, 10 minutes by default', async () => {
    const s = await loadScenario(join(SCENARIOS, 'production-mix.ts'));
    assert.equal(s.duration, 600);
    assert.ok('gateway' in s.target);
    assert.equal(s.target.gateway.skills, 22);
    assert.equal(s.target.gateway.cronJobs, 12);
    assert.deepEqual(s.load.map((l) => l.kind).sort(), ['chat', 'cron', 'subagents']);
  });
  it('restart-orphans starts from the seed state and restarts mid-run', async () => {
    const s = await loadScenario(join(SCENARIOS, 'restart-orphans.ts'));
    assert.ok('gateway' in s.target && s.target.gateway.seedState);
    const restart = s.events.find((e) => e.type === 'restart');
    assert.ok(restart && restart.at > 0 && restart.at < s.duration);
  });
});

describe('loadScenario', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'soakgate-scenario-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const shape = {
    name: 'same-shape',
    target: { gateway: { store: 'naive', cronJobs: 3 } },
    duration: '2m',
    warmup: '10s',
    load: [{ kind: 'cron', jobs: 3, interval: '30s', thunderingHerd: true }],
  };

  it('reads a .ts module and a .json file of the same shape alike', async () => {
    const ts = join(dir, 'same.ts');
    writeFileSync(ts, `import { defineScenario } from ${JSON.stringify(HARNESS_ENTRY)};\nexport default defineScenario(${JSON.stringify(shape)});\n`);
    const json = join(dir, 'same.json');
    writeFileSync(json, JSON.stringify(shape));
    const fromTs = await loadScenario(ts);
    const fromJson = await loadScenario(json);
    assert.deepEqual({ ...fromTs, source: '' }, { ...fromJson, source: '' });
    assert.equal(fromTs.source, ts);
  });
  it('refuses a missing file', async () => {
    await refusedWith(join(dir, 'nowhere.ts'), /no such scenario file/);
  });
  it('refuses JSON that does not parse', async () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"name": "broken",');
    await refusedWith(file, /not valid JSON/);
  });
  it('refuses a module without a default export', async () => {
    const file = join(dir, 'nodefault.ts');
    writeFileSync(file, 'export const scenario = {};\n');
    await refusedWith(file, /expected a default export/);
  });
  it('refuses a module that does not import', async () => {
    const file = join(dir, 'syntax.ts');
    writeFileSync(file, 'export default {{{;\n');
    await refusedWith(file, /could not import it/);
  });
  it('refuses other file types', async () => {
    const file = join(dir, 'scenario.yaml');
    writeFileSync(file, 'name: x\n');
    await refusedWith(file, /expected a \.ts, \.js or \.json scenario file/);
  });
  it('refuses an invalid .json scenario, naming the field', async () => {
    const file = join(dir, 'negative.json');
    writeFileSync(file, JSON.stringify({ ...shape, load: [{ kind: 'subagents', rate: -3 }] }));
    await refusedWith(file, /load\[0\]\.rate: a rate must be 0 or more/);
  });
  it("refuses a command target whose cwd or watched file's folder does not exist", async () => {
    mkdirSync(join(dir, 'app'), { recursive: true });
    const command = (cwd: string, files: Record<string, string>) => ({
      name: 'cmd',
      target: { command: { argv: ['node', 'server.js'], cwd, ready: 'listening on (http://\\S+)', files } },
      duration: '1m',
    });
    const badCwd = join(dir, 'bad-cwd.json');
    writeFileSync(badCwd, JSON.stringify(command('./missing-app', {})));
    await refusedWith(badCwd, /target\.command\.cwd: no such folder: .*missing-app/);
    const badFile = join(dir, 'bad-file.json');
    writeFileSync(badFile, JSON.stringify(command('./app', { db: 'no-such-folder/db.json', log: 'out.log' })));
    await refusedWith(badFile, /target\.command\.files\.db: the folder of .*no-such-folder\/db\.json does not exist/);
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(command('./app', { log: 'out.log' })));
    const s = await loadScenario(good);
    assert.ok('command' in s.target);
    assert.equal(s.target.command.files.log, join(dir, 'app', 'out.log'));
  });
});
