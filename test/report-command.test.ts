// `soakgate report` as a user runs it: rebuilds report.html, takes a baseline, writes a compare report, and
// refuses a missing or empty folder with exit 2 and a message that says what to pass.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compareRuns } from '../harness/analysis/bootstrap.ts';
import { writeSyntheticRun } from './report-syntheticRun.ts';

const BIN = fileURLToPath(new URL('../bin/soakgate.js', import.meta.url));

function soakgate(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('soakgate report', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'soakgate-report-cmd-'));
    await writeSyntheticRun(join(dir, 'naive'), { store: 'naive', samples: 300 });
    await writeSyntheticRun(join(dir, 'dedup'), { store: 'dedup', samples: 300 });
    await writeSyntheticRun(join(dir, 'crashed'), { store: 'naive', samples: 200, crashed: true });
    await mkdir(join(dir, 'empty'));
    // A folder as `soakgate compare` leaves it: one sub-folder per store and compare.json with the differences.
    const naive = await writeSyntheticRun(join(dir, 'cmp', 'naive'), { store: 'naive', samples: 300 });
    const dedup = await writeSyntheticRun(join(dir, 'cmp', 'dedup'), { store: 'dedup', samples: 300 });
    await writeFile(
      join(dir, 'cmp', 'compare.json'),
      JSON.stringify({
        scenario: 'production-mix',
        reference: 'naive',
        runs: [
          { label: 'naive', runDir: 'naive' },
          { label: 'dedup', runDir: 'dedup' },
        ],
        differences: { dedup: compareRuns(naive, dedup, { warmupS: 15, seed: 1 }) },
      }),
    );
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('rebuilds report.html in the run folder, also for a crashed run', async () => {
    for (const run of ['naive', 'crashed']) {
      const { code, stdout } = await soakgate(['report', run], dir);
      assert.equal(code, 0);
      assert.match(stdout, new RegExp(`report written: ${run}/report\\.html`));
      assert.ok((await stat(join(dir, run, 'report.html'))).size > 500_000, 'the page with its inlined libraries');
    }
  });

  it('draws a baseline given with --baseline', async () => {
    const baseline = join(dir, 'baseline.json');
    await writeFile(
      baseline,
      JSON.stringify({
        scenario: 'production-mix',
        target: 'gateway-dedup',
        runs: 3,
        nodeVersion: process.version,
        machine: { cpuModel: 'test', cores: 2, memoryBytes: 8e9, os: 'linux' },
        created: '2026-11-25T00:00:00.000Z',
        metrics: { sessionsFileBytes: { unit: 'bytes', slopePerMin: 900, slopes: [800, 900, 1_000], slopeSpread: 100, ciLow: 100, ciHigh: 1_700, noise: 40, samples: 300 } },
      }),
    );
    const { code } = await soakgate(['report', 'naive', '--baseline', baseline, '--out', 'with-baseline.html'], dir);
    assert.equal(code, 0);
    const html = await readFile(join(dir, 'with-baseline.html'), 'utf8');
    assert.match(html, /<th class="num">baseline \/ min<\/th>/);
    assert.match(html, /\+900\sB\/min <span class="note">\[100\sB, 1\.7\sKiB\]<\/span>/);
  });

  it('writes one compare report for several folders', async () => {
    const { code } = await soakgate(['report', 'naive', 'dedup', '--out', 'both.html', '--title', 'naive vs dedup'], dir);
    assert.equal(code, 0);
    const html = await readFile(join(dir, 'both.html'), 'utf8');
    assert.match(html, /<h1>naive vs dedup<\/h1>/);
    assert.match(html, /<td>gateway-naive<\/td>[\s\S]*<td>gateway-dedup<\/td>/);
  });

  it('rebuilds a compare folder\'s report with the slope differences', async () => {
    const { code, stdout } = await soakgate(['report', 'cmp'], dir);
    assert.equal(code, 0);
    assert.match(stdout, /report written: cmp\/report\.html/);
    const html = await readFile(join(dir, 'cmp', 'report.html'), 'utf8');
    assert.match(html, /<title>soakgate compare: production-mix, naive vs dedup<\/title>/);
    const row = /<tr><td>sessionsFileBytes<\/td><td>dedup<\/td>([\s\S]*?)<\/tr>/.exec(html);
    assert.ok(row, 'a row for sessions.json against dedup');
    assert.match(row[1], /badge bad">faster</, 'naive grows clearly faster');
    assert.match(row[1], /\d+\.\d×<\/td>$/, 'with the ratio');
    const refused = await soakgate(['report', 'cmp', '--baseline', 'x.json'], dir);
    assert.equal(refused.code, 2);
  });

  it('refuses a missing folder, an empty folder and bad options with exit 2', async () => {
    const missing = await soakgate(['report', 'no-such-run'], dir);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no run folder at no-such-run/);
    const empty = await soakgate(['report', 'empty'], dir);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /empty holds no samples: samples\.jsonl is missing/);
    const none = await soakgate(['report'], dir);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /which run folder\?/);
    const badBaseline = await soakgate(['report', 'naive', '--baseline', 'nope.json'], dir);
    assert.equal(badBaseline.code, 2);
    assert.match(badBaseline.stderr, /baseline nope\.json: not readable JSON \(ENOENT/);
  });

  it('explains itself with --help', async () => {
    const { code, stdout } = await soakgate(['report', '--help'], dir);
    assert.equal(code, 0);
    assert.match(stdout, /usage: soakgate report <run-dir>/);
  });
});
