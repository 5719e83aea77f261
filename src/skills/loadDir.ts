// Loads real skills from `<dir>/<name>/SKILL.md` folders (`--skills-dir`), reading the same front matter fields
// OpenClaw reads: name, description, and the env requirements under metadata.openclaw.requires.env.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SkillDefinition } from './snapshot.ts';

export class SkillsDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SkillsDirError';
  }
}

/** Reads the `key: value` lines of a SKILL.md's `---` front matter; quoted and JSON flow values are decoded. */
function frontMatter(markdown: string): Record<string, unknown> {
  const match = /^---\r?\n([\s\S]*?)\r?\n---(?:\r?\n|$)/.exec(markdown);
  if (!match) return {};
  const fields: Record<string, unknown> = {};
  for (const line of match[1].split(/\r?\n/)) {
    const field = /^([A-Za-z][\w-]*):\s*(.*)$/.exec(line);
    if (!field) continue;
    const raw = field[2].trim();
    let value: unknown = raw;
    if (raw.startsWith('"') || raw.startsWith('{') || raw.startsWith('[')) {
      try {
        value = JSON.parse(raw);
      } catch {
        value = raw;
      }
    } else if (raw.startsWith("'") && raw.endsWith("'")) value = raw.slice(1, -1).replace(/''/g, "'");
    fields[field[1]] = value;
  }
  return fields;
}

function requiredEnv(metadata: unknown): string[] {
  // OpenClaw skills declare requirements under metadata.openclaw; older ones under metadata.clawdbot.
  const meta = metadata as { openclaw?: { requires?: { env?: unknown } }; clawdbot?: { requires?: { env?: unknown } } } | undefined;
  const env = meta?.openclaw?.requires?.env ?? meta?.clawdbot?.requires?.env;
  return Array.isArray(env) ? env.filter((x): x is string => typeof x === 'string') : [];
}

/** Reads one SKILL.md text; the folder name stands in for a missing `name`. */
export function parseSkillMarkdown(markdown: string, filePath: string): SkillDefinition {
  const fields = frontMatter(markdown);
  const name = typeof fields.name === 'string' && fields.name ? fields.name : path.basename(path.dirname(filePath));
  const description = typeof fields.description === 'string' ? fields.description : '';
  return { name, description, requiredEnv: requiredEnv(fields.metadata), filePath, markdown };
}

/** Every `<dir>/<name>/SKILL.md`, in name order; folders without a SKILL.md are not skills and are passed over. */
export async function loadSkillsDir(dir: string): Promise<SkillDefinition[]> {
  const root = path.resolve(dir);
  let folders;
  try {
    folders = await readdir(root, { withFileTypes: true });
  } catch (error) {
    throw new SkillsDirError(`cannot read skills folder ${root}: ${(error as Error).message}`);
  }
  const skills: SkillDefinition[] = [];
  for (const folder of folders.filter((f) => f.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const filePath = path.join(root, folder.name, 'SKILL.md');
    const markdown = await readFile(filePath, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw new SkillsDirError(`cannot read ${filePath}: ${error.message}`);
    });
    if (markdown !== undefined) skills.push(parseSkillMarkdown(markdown, filePath));
  }
  if (skills.length === 0) throw new SkillsDirError(`no skills in ${root}: expected <name>/SKILL.md folders`);
  return skills;
}
