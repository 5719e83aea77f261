// Builds the SkillsSnapshot that the OpenClaw gateway copied into every session entry: the rendered
// <available_skills> prompt block, the skill list with env requirements, and the resolved skill objects.
// Pure: it takes skill definitions (generated or loaded from disk) and returns plain data.
import type { SkillsSnapshot } from '../store/sessionStore.ts';

/** One skill as read from (or generated like) a SKILL.md: front matter fields plus the full file text. */
export interface SkillDefinition {
  name: string;
  description: string;
  requiredEnv: string[];
  /** Where the SKILL.md lives; the agent reads the file from there when it uses the skill. */
  filePath: string;
  /** The whole SKILL.md (front matter + body). The snapshot does not carry it, as in OpenClaw. */
  markdown: string;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function renderAvailableSkills(skills: readonly SkillDefinition[]): string {
  const blocks = skills.map(
    (skill) =>
      `  <skill>\n    <name>${escapeXml(skill.name)}</name>\n` +
      `    <description>${escapeXml(skill.description)}</description>\n` +
      `    <location>${escapeXml(skill.filePath)}</location>\n  </skill>`,
  );
  return `<available_skills>\n${blocks.join('\n')}\n</available_skills>`;
}

export function buildSkillsSnapshot(skills: readonly SkillDefinition[], version = 1): SkillsSnapshot {
  return {
    prompt: renderAvailableSkills(skills),
    skills: skills.map((skill) => ({ name: skill.name, requiredEnv: [...skill.requiredEnv] })),
    resolvedSkills: skills.map((skill) => ({
      name: skill.name,
      description: skill.description,
      requiredEnv: [...skill.requiredEnv],
      filePath: skill.filePath,
    })),
    version,
  };
}
