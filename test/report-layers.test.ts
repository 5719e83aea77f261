// The report's building blocks run one way (docs/ARCHITECTURE.md, "Layers"): analysis and gate results in, HTML
// out. Read from the source's import lines, so a new import that closes a loop fails here, not in a review.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The repository's own modules a file imports, as paths from the root. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]);
  return specifiers.map((s) => relative(root, resolve(root, dirname(file), s)));
}

/** Every module `start` reaches through its imports, itself included. */
function closure(start: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...start];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file) || !/\.(ts|mjs|js)$/.test(file)) continue;
    seen.add(file);
    queue.push(...importsOf(file));
  }
  return seen;
}

const reportFiles = readdirSync(join(root, 'reports')).filter((f) => f.endsWith('.ts')).map((f) => `reports/${f}`);

test('reports/ does not import the gate\'s judgement, nor anything that imports reports/ back', () => {
  const reached = closure(reportFiles);
  assert.ok(!reached.has('harness/gate/judge.ts'), 'reports/ reaches harness/gate/judge.ts');
  const loops = [...reached].filter((file) => !file.startsWith('reports/') && importsOf(file).some((i) => i.startsWith('reports/')));
  assert.deepEqual(loops, [], `modules reports/ imports that import reports/ back: ${loops.join(', ')}`);
});

test('the analysis imports neither the gate, the commands nor the report', () => {
  const analysis = readdirSync(join(root, 'harness/analysis')).filter((f) => f.endsWith('.ts')).map((f) => `harness/analysis/${f}`);
  const outward = [...closure(analysis)].filter((f) => /^(harness\/(gate|commands)|reports)\//.test(f));
  assert.deepEqual(outward, []);
});
