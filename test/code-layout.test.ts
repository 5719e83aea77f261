// The tree keeps the shape docs/ARCHITECTURE.md gives it ("Layers", "Where each concern lives"): no folder imports
// a folder that imports it back, directly or around a longer loop; src/ never imports the harness; in harness/ only
// the gateway's target adapter (its limits) imports src/ (the `gateway` command loads src/cli.ts by name); and no
// function outside the tests is longer than 80 lines. Read from the source itself, so a change that breaks the shape
// fails here, not in a review.
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
  const specifiers = [...text.matchAll(/(?:from|import|require)\s*\(?\s*(['"])(\.{1,2}\/[^'"]+)\1/g)].map((m) => m[2]);
  return specifiers.map((s) => relative(root, resolve(root, dirname(file), s)));
}

/** harness/<role>/ for a module in a role folder, else its top folder (src/, reports/, bench/...). */
function folderOf(file: string): string {
  const parts = file.split('/');
  return parts[0] === 'harness' && parts.length > 2 ? `harness/${parts[1]}` : parts[0];
}

/** Every product folder: what ships, and what a person runs beside it (benchmarks, the example, scenarios). */
const PRODUCT = ['harness', 'reports', 'src', 'lib', 'bin', 'bench', 'examples', 'scenarios'];

/** The folder graph of `files`: each folder and the other folders its modules import. */
function folderGraph(files: string[]): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const file of files) {
    for (const target of importsOf(file)) {
      const [from, to] = [folderOf(file), folderOf(target)];
      if (from !== to) edges.set(from, (edges.get(from) ?? new Set()).add(to));
    }
  }
  return edges;
}

/** Each loop of folders, of any length, as `a -> b -> ... -> a`, found once from its least folder. */
function loopsIn(edges: Map<string, Set<string>>): string[] {
  const loops: string[] = [];
  const walk = (start: string, path: string[]) => {
    for (const next of edges.get(path[path.length - 1]) ?? []) {
      if (next === start) loops.push([...path, start].join(' -> '));
      else if (next > start && !path.includes(next)) walk(start, [...path, next]);
    }
  };
  for (const start of [...edges.keys()].sort()) walk(start, [start]);
  return loops;
}

test('no folder imports a folder that imports it back, directly or through others', () => {
  const edges = folderGraph(PRODUCT.flatMap(sourceFiles));
  assert.ok(edges.get('harness/commands')?.has('reports'), 'the graph is read: commands import reports');
  assert.deepEqual(loopsIn(edges), []);
  // The finder itself: a loop through three folders is found, and a chain is not a loop.
  const three = new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])], ['d', new Set(['a'])]]);
  assert.deepEqual(loopsIn(three), ['a -> b -> c -> a']);
});

test("src/ and lib/ never import the harness or the report: a target is reached only through a process", () => {
  const reaching = [...sourceFiles('src'), ...sourceFiles('lib')].flatMap((file) =>
    importsOf(file).filter((target) => /^(harness|reports|bench|examples|scenarios)\//.test(target)).map((target) => `${file} -> ${target}`),
  );
  assert.deepEqual(reaching, []);
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
  for (const file of PRODUCT.flatMap(sourceFiles)) {
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
