// soakgate as a team installs it: `npm pack`, the tarball installed as a dev dependency of a scratch project outside
// this repository, a .ts scenario there importing from 'soakgate', and the installed CLI's run, baseline and gate.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { after, before, test } from 'node:test';
import type { GateResult } from '../harness/gate/gateResult.ts';
import type { Summary } from '../harness/contracts/summary.ts';

const repo = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const tsc = join(repo, 'node_modules', '.bin', 'tsc');
const running = new Set<ChildProcess>();
let root: string;
let project: string;
let packed: PackResult;

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: Array<{ path: string }>;
}

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function exec(command: string, args: string[], cwd: string): Promise<Finished> {
  const started = Date.now();
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) =>
    child.on('close', (code) => {
      running.delete(child);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    }),
  );
}

// `--yes=false`: the soakgate installed in the project or nothing, never a package of that name from the registry.
const soakgate = (args: string[]) => exec('npx', ['--yes=false', 'soakgate', ...args], project);

const SERVER = `import http from 'node:http';
const server = http.createServer((req, res) => { req.resume(); req.on('end', () => res.end('{"ok":true}')); });
server.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

// No "type": "module" in the project, as in most repositories: tsx compiles the scenario to CommonJS, so 'soakgate'
// is required, which is the harder way to resolve it.
const SCENARIO = `import { defineScenario, type ScenarioInput } from 'soakgate';

const load: ScenarioInput['load'] = [{ kind: 'http', method: 'GET', path: '/items/{{n}}', rate: 20 }];

export default defineScenario({
  name: 'tiny-http',
  description: "The project's own server under a plain HTTP storm.",
  target: { command: { argv: ['node', 'server.mjs'], cwd: '.', ready: 'listening on (http://127\\\\.0\\\\.0\\\\.1:\\\\d+)' } },
  duration: '6s', warmup: '1500ms', sampleInterval: '250ms', settleInterval: '1s', seed: 1,
  load,
  budgets: { rssBytes: { maxSlopePerMin: 500_000_000 }, heapFloorBytes: { maxSlopePerMin: 100_000_000 } },
});
`;

const MISTYPED = `import { defineScenario } from 'soakgate';

export default defineScenario({ name: 'typo', target: { command: { argv: ['node'] } }, load: [{ kind: 'htp', rate: 1 }] });
`;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'soakgate-package-test-'));
  assert.ok(!root.startsWith(`${repo}/`), 'the scratch project must live outside this repository');
  const pack = await exec('npm', ['pack', '--json', '--pack-destination', root], repo);
  assert.equal(pack.code, 0, pack.stderr);
  [packed] = JSON.parse(pack.stdout) as PackResult[];
  project = join(root, 'gateway-repo');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'gateway-repo', version: '1.0.0', private: true }));
});

after(() => {
  for (const child of running) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

test('the package ships what runs and the public types, and no tests, benchmarks, runs or baselines', (t) => {
  const paths = packed.files.map((f) => f.path);
  for (const needed of ['bin/soakgate.js', 'harness/index.ts', 'harness/probe/probe.mjs', 'harness/target/watchdog.mjs', 'src/cli.ts', 'reports/page.ts', 'scenarios/ci-gate.ts', 'types/harness/index.d.ts', 'README.md']) {
    assert.ok(paths.includes(needed), `${needed} is missing from the package`);
  }
  const unwanted = paths.filter((p) => /^(test|bench|runs|baselines|examples|node_modules|\.ci|\.github)\//.test(p) || /\.(png|tgz|heapsnapshot)$/.test(p));
  assert.deepEqual(unwanted, []);
  assert.ok(packed.size < 400_000, `packed size ${packed.size} B`);
  t.diagnostic(`npm pack: ${packed.files.length} files, ${(packed.size / 1000).toFixed(1)} kB packed`);
});

test('everything the shipped code imports is shipped or a dependency, not a dev dependency', () => {
  const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const installed = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.optionalDependencies ?? {})]);
  const shipped = new Set(packed.files.map((f) => f.path));
  const missing = new Set<string>();
  const imported = new Set<string>();
  // The declarations under types/ are left to the type check of the installed package below.
  for (const path of [...shipped].filter((p) => /\.(ts|mts|js|mjs)$/.test(p) && !p.startsWith('types/'))) {
    const source = readFileSync(join(repo, path), 'utf8');
    const pattern = /^\s*(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'|\b(?:import|require)\('([^']+)'\)|new URL\('(\.[^']+)', import\.meta\.url\)/gm;
    for (const specifier of [...source.matchAll(pattern)].map((m) => m[1] ?? m[2] ?? m[3])) {
      if (specifier.startsWith('node:')) continue;
      if (specifier.startsWith('.')) {
        const file = normalize(join(dirname(path), specifier));
        const folder = file === '.' || [...shipped].some((p) => p.startsWith(`${file}/`));
        if (!shipped.has(file) && !folder) missing.add(`${file} (${path})`);
        continue;
      }
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
      imported.add(name);
      if (!installed.has(name)) missing.add(`${name} (${path})`);
    }
  }
  assert.deepEqual([...missing], []);
  for (const name of ['tsx', 'zod', 'fastify', 'autocannon', '@memlab/core']) assert.ok(imported.has(name), `no import of ${name} found`);
});

test('installed from its tarball into a project outside the repository, it runs, records a baseline and gates a .ts scenario importing from soakgate', async (t) => {
  // --ignore-scripts: better-sqlite3 (optional, read only for SQLite state metrics) would compile from source for a
  // minute or more, and puppeteer (under memlab) would try to download a browser; soakgate needs neither here.
  const install = await exec('npm', ['install', '--save-dev', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', join(root, packed.filename)], project);
  assert.equal(install.code, 0, install.stderr);
  t.diagnostic(`npm install of the tarball: ${(install.ms / 1000).toFixed(1)} s`);
  const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
  assert.match(manifest.devDependencies?.soakgate ?? '', /soakgate-0\.1\.0\.tgz$/);

  writeFileSync(join(project, 'server.mjs'), SERVER);
  writeFileSync(join(project, 'tiny.scenario.ts'), SCENARIO);
  writeFileSync(join(project, 'typo.scenario.ts'), MISTYPED);
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: [] },
    include: ['*.ts'],
  }));

  // The editor's view: the scenario type-checks against the shipped declarations, a wrong storm kind does not, and
  // nothing inside node_modules/soakgate is reported.
  const typecheck = await exec(tsc, ['-p', '.'], project);
  assert.notEqual(typecheck.code, 0, typecheck.stdout);
  const errors = typecheck.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
  assert.equal(errors.length, 1, typecheck.stdout);
  assert.match(errors[0], /^typo\.scenario\.ts\(.*'"htp"' is not assignable/);
  rmSync(join(project, 'typo.scenario.ts'));

  const help = await soakgate(['--help']);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^\s+run\s+/m);
  assert.match(help.stdout, /^\s+gate\s+/m);

  const refused = await soakgate(['gate', 'tiny.scenario.ts']);
  assert.equal(refused.code, 2, refused.stdout);
  assert.match(refused.stderr, /no baseline for tiny-http .*\n\s+soakgate baseline tiny\.scenario\.ts --runs 3 --write/);

  const run = await soakgate(['run', 'tiny.scenario.ts', '--duration', '4s', '--out', 'runs/first']);
  assert.equal(run.code, 0, run.stderr + run.stdout);
  t.diagnostic(`soakgate run (4 s of load): ${(run.ms / 1000).toFixed(1)} s`);
  const runDir = join(project, 'runs', 'first');
  for (const file of ['run.json', 'samples.jsonl', 'summary.json', 'report.html']) {
    assert.ok(existsSync(join(runDir, file)), `${file} is missing from the run folder`);
  }
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as Summary;
  assert.equal(summary.scenario, 'tiny-http');
  assert.equal(summary.target, 'command:server.mjs');
  assert.ok((summary.operations.requests ?? 0) >= 40, JSON.stringify(summary.operations));
  assert.ok(summary.metrics.rssBytes, 'RSS was sampled');
  assert.ok(summary.metrics.heapUsedBytes, 'the probe reported the heap from inside the node_modules install');

  const baseline = await soakgate(['baseline', 'tiny.scenario.ts', '--runs', '1', '--write']);
  assert.equal(baseline.code, 0, baseline.stderr + baseline.stdout);
  t.diagnostic(`soakgate baseline (1 run): ${(baseline.ms / 1000).toFixed(1)} s`);
  assert.ok(existsSync(join(project, 'baselines', 'tiny-http.command.json')));

  const gate = await soakgate(['gate', 'tiny.scenario.ts', '--out', 'runs/gate']);
  t.diagnostic(`soakgate gate: ${(gate.ms / 1000).toFixed(1)} s`);
  assert.equal(gate.code, 0, gate.stderr + gate.stdout);
  const result = JSON.parse(readFileSync(join(project, 'runs', 'gate', 'gate.json'), 'utf8')) as GateResult;
  assert.equal(result.pass, true);
  const checks = result.scenarios[0].checks;
  assert.ok(checks.some((c) => c.metric === 'rssBytes' && c.kind === 'budgetPerMin' && c.pass), JSON.stringify(checks));
  assert.ok(checks.some((c) => c.kind === 'baseline'), JSON.stringify(checks));
  for (const file of ['junit.xml', 'gate.md', 'report.html']) assert.ok(existsSync(join(project, 'runs', 'gate', file)), `${file} is missing`);
});
