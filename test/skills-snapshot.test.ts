// Synthetic skills and the skills snapshot: deterministic SKILL.md files of realistic sizes, and the ~41 KB
// snapshot that the naive store copies into every session entry.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateSkills } from '../src/skills/generate.ts';
import { parseSkillMarkdown } from '../src/skills/loadDir.ts';
import { buildSkillsSnapshot } from '../src/skills/snapshot.ts';

test('generates 22 skills by default, byte-identical for the same seed and different for another', () => {
  const first = generateSkills();
  assert.equal(first.length, 22);
  assert.deepEqual(generateSkills(), first);
  assert.notDeepEqual(generateSkills({ seed: 7 }).map((s) => s.markdown), first.map((s) => s.markdown));
  assert.equal(new Set(first.map((s) => s.name)).size, 22, 'names are unique');
  assert.equal(generateSkills({ count: 40 }).length, 40);
  assert.equal(new Set(generateSkills({ count: 40 }).map((s) => s.name)).size, 40);
});

test('sizes SKILL.md files like real ones: 1 to 10 KB each, about 3 KB on average', () => {
  for (const seed of [55334, 1, 2]) {
    const sizes = generateSkills({ seed }).map((s) => Buffer.byteLength(s.markdown));
    for (const size of sizes) assert.ok(size >= 1024 && size <= 10 * 1024, `size ${size} out of 1-10 KB`);
    const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    assert.ok(mean > 2.5 * 1024 && mean < 3.5 * 1024, `mean ${mean} is not about 3 KB`);
  }
});

test('writes YAML front matter that reads back to the same name, description and env requirements', () => {
  for (const skill of generateSkills()) {
    assert.match(skill.markdown, /^---\nname: [a-z0-9-]+\ndescription: .+\nmetadata: \{.+\}\n---\n\n# /);
    const parsed = parseSkillMarkdown(skill.markdown, skill.filePath);
    assert.deepEqual(parsed, skill);
  }
});

test('builds a snapshot of 22 default skills that weighs about 41 KB as JSON', () => {
  const skills = generateSkills();
  const snapshot = buildSkillsSnapshot(skills);
  const bytes = Buffer.byteLength(JSON.stringify(snapshot));
  assert.ok(bytes > 39 * 1024 && bytes < 43 * 1024, `snapshot weighs ${bytes} bytes`);
  assert.equal(snapshot.skills.length, 22);
  assert.equal(snapshot.resolvedSkills.length, 22);
  assert.equal(snapshot.version, 1);
  assert.match(snapshot.prompt, /^<available_skills>\n[\s\S]*\n<\/available_skills>$/);
  assert.equal(snapshot.prompt.match(/<skill>/g)?.length, 22);
  for (const skill of skills) {
    assert.ok(snapshot.prompt.includes(`<location>${skill.filePath}</location>`));
    assert.ok(snapshot.skills.some((s) => s.name === skill.name && s.requiredEnv.join() === skill.requiredEnv.join()));
  }
});

test('escapes XML in the rendered prompt', () => {
  const [skill] = generateSkills({ count: 1 });
  const snapshot = buildSkillsSnapshot([{ ...skill, description: 'reads <b> & "quotes"' }]);
  assert.ok(snapshot.prompt.includes('<description>reads &lt;b&gt; &amp; &quot;quotes&quot;</description>'));
});
