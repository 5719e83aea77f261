// Real SKILL.md folders (`--skills-dir`): front matter read as OpenClaw reads it, folders without SKILL.md passed
// over, and a clear error for a folder that holds no skills.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { generateSkills } from '../src/skills/generate.ts';
import { SkillsDirError, loadSkillsDir } from '../src/skills/loadDir.ts';
import { buildSkillsSnapshot } from '../src/skills/snapshot.ts';

let root: string;

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'soakgate-skills-'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('loads <dir>/<name>/SKILL.md folders in name order with their front matter', async () => {
  const dir = path.join(root, 'real');
  await mkdir(path.join(dir, 'weather'), { recursive: true });
  await writeFile(
    path.join(dir, 'weather', 'SKILL.md'),
    '---\nname: weather\ndescription: Get current weather and forecasts (no API key required).\n' +
      'metadata: {"openclaw":{"emoji":"x","requires":{"env":["WEATHER_URL"],"bins":["curl"]}}}\n---\n\n# Weather\n\nUse wttr.in.\n',
  );
  await mkdir(path.join(dir, 'a-legacy'), { recursive: true });
  await writeFile(
    path.join(dir, 'a-legacy', 'SKILL.md'),
    "---\ndescription: 'It''s old'\nmetadata: {\"clawdbot\":{\"requires\":{\"env\":[\"OLD_TOKEN\"]}}}\n---\nbody\n",
  );
  await mkdir(path.join(dir, 'not-a-skill'), { recursive: true });
  await writeFile(path.join(dir, 'README.md'), 'not a folder');

  const skills = await loadSkillsDir(dir);
  assert.deepEqual(
    skills.map(({ name, description, requiredEnv, filePath }) => ({ name, description, requiredEnv, filePath })),
    [
      { name: 'a-legacy', description: "It's old", requiredEnv: ['OLD_TOKEN'], filePath: path.join(dir, 'a-legacy', 'SKILL.md') },
      {
        name: 'weather',
        description: 'Get current weather and forecasts (no API key required).',
        requiredEnv: ['WEATHER_URL'],
        filePath: path.join(dir, 'weather', 'SKILL.md'),
      },
    ],
  );
});

test('reads generated skills written to disk back into the same snapshot', async () => {
  const dir = path.join(root, 'generated');
  const generated = generateSkills({ root: dir });
  for (const skill of generated) {
    await mkdir(path.dirname(skill.filePath), { recursive: true });
    await writeFile(skill.filePath, skill.markdown);
  }
  const loaded = await loadSkillsDir(dir);
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  assert.deepEqual(buildSkillsSnapshot(loaded), buildSkillsSnapshot([...generated].sort(byName)));
});

test('refuses a missing folder or one without skills, naming it', async () => {
  await assert.rejects(loadSkillsDir(path.join(root, 'missing')), (error: Error) => {
    assert.ok(error instanceof SkillsDirError);
    assert.match(error.message, /cannot read skills folder .*missing/);
    return true;
  });
  const empty = path.join(root, 'empty');
  await mkdir(path.join(empty, 'nothing-here'), { recursive: true });
  await assert.rejects(loadSkillsDir(empty), /no skills in .*empty: expected <name>\/SKILL.md folders/);
});
