// The tree keeps the shape docs/ARCHITECTURE.md gives it ("Layers", "Where each concern lives"): no folder imports
// a folder that imports it back, only the gateway's target adapter (its limits) imports src/ (the `gateway`
// command loads src/cli.ts by name), and no function outside the tests is longer than 80 lines. Read from the
// source itself, so a change that breaks the shape fails here, not in a review.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
// A dev dependency (the version memlab brings too): TypeScript 7 has no compiler API to read a file's functions with.
import { parse } from '@babel/parser';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MAX_FUNCTION_LINES = 80;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|mjs|js)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The repository's own modules a file imports, as paths from the root. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]);
  return specifiers.map((s) => relative(root, resolve(root, dirname(file), s)));
}

/** harness/<role>/ for a module in a role folder, else its top folder (src/, reports/, bench/...). */
function folderOf(file: string): string {
  const parts = file.split('/');
  return parts[0] === 'harness' && parts.length > 2 ? `harness/${parts[1]}` : parts[0];
}

test('no folder imports a folder that imports it back', () => {
  const edges = new Map<string, Set<string>>();
  for (const file of [...sourceFiles('harness'), ...sourceFiles('reports'), ...sourceFiles('src'), ...sourceFiles('lib')]) {
    for (const target of importsOf(file)) {
      const [from, to] = [folderOf(file), folderOf(target)];
      if (from !== to) edges.set(from, (edges.get(from) ?? new Set()).add(to));
    }
  }
  const loops = [...edges].flatMap(([from, tos]) => [...tos].filter((to) => from < to && edges.get(to)?.has(from)).map((to) => `${from} <-> ${to}`));
  assert.deepEqual(loops, []);
});

test('only the gateway target adapter imports src/; the sampler and the scenario schema do not', () => {
  const reachingSrc = sourceFiles('harness').filter((file) => importsOf(file).some((target) => target.startsWith('src/')));
  assert.deepEqual(reachingSrc, ['harness/target/gatewayLimits.ts']);
});

test('lib/, shared by the gateway and the harness, imports nothing of the repository outside itself', () => {
  const reachingOut = sourceFiles('lib').flatMap((file) => importsOf(file).filter((target) => !target.startsWith('lib/')).map((target) => `${file} -> ${target}`));
  assert.deepEqual(reachingOut, []);
  assert.ok(sourceFiles('lib').length > 0);
});

test(`no function outside the tests is longer than ${MAX_FUNCTION_LINES} lines`, () => {
  const long: string[] = [];
  for (const file of ['harness', 'lib', 'reports', 'bin', 'bench', 'src', 'examples', 'scenarios'].flatMap(sourceFiles)) {
    const program = parse(readFileSync(join(root, file), 'utf8'), { sourceType: 'module', plugins: ['typescript'] }).program as unknown as Node;
    for (const { name, lines } of functionsIn(program)) {
      if (lines > MAX_FUNCTION_LINES) long.push(`${file}: ${name}, ${lines} lines`);
    }
  }
  assert.deepEqual(long, []);
});

type Node = { type: string; loc?: { start: { line: number }; end: { line: number } }; [key: string]: unknown };
const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression', 'ClassMethod', 'ClassPrivateMethod', 'ObjectMethod']);

/** Every function, method and arrow under `node`, named by its declaration, key or the variable it is assigned to. */
function functionsIn(node: Node, name = '(anonymous)'): Array<{ name: string; lines: number }> {
  const found: Array<{ name: string; lines: number }> = [];
  if (FUNCTION_TYPES.has(node.type) && node.loc) {
    const own = (node.id as { name?: string } | null)?.name ?? (node.key as { name?: string } | undefined)?.name ?? name;
    found.push({ name: own, lines: node.loc.end.line - node.loc.start.line + 1 });
  }
  const childName = ['VariableDeclarator', 'ClassProperty', 'ObjectProperty'].includes(node.type)
    ? ((node.id ?? node.key) as { name?: string } | undefined)?.name ?? name
    : name;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'loc' || key.endsWith('Comments')) continue;
    for (const child of Array.isArray(value) ? value : [value]) {
      if (child && typeof child === 'object' && typeof (child as Node).type === 'string') found.push(...functionsIn(child as Node, childName));
    }
  }
  return found;
}
