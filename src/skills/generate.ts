// Synthetic skills shaped like real SKILL.md files (YAML front matter + markdown body, 1-10 KB, mean about
// 3 KB), generated deterministically from a seed so that every run and every store sees byte-identical skills.
import type { SkillDefinition } from './snapshot.ts';
import { seededRandom } from '../../lib/seededRandom.ts';

export interface GenerateSkillsOptions {
  count?: number;
  seed?: number;
  /** Folder the generated skills pretend to live in (it appears in each filePath and in the prompt). */
  root?: string;
}

export const DEFAULT_SKILL_COUNT = 22;
export const DEFAULT_SKILLS_ROOT = '/opt/soakgate/skills';
const MIN_FILE_BYTES = 1024;
const MAX_FILE_BYTES = 10 * 1024;
const MEAN_FILE_BYTES = 3 * 1024;

const NAMES = [
  'github', 'weather', 'calendar', 'notion', 'slack', 'gmail', 'jira', 'obsidian', 'spotify', 'home-assistant',
  'browser', 'pdf-tools', 'image-gen', 'transcribe', 'summarize', 'translate', 'web-search', 'docker',
  'postgres', 'todoist', 'maps', 'camera', 'trello', 'kubernetes', 's3-storage', 'shell-runner',
];
const VERBS = ['Reads', 'Creates', 'Updates', 'Searches', 'Summarizes', 'Lists', 'Archives', 'Checks', 'Syncs', 'Exports'];
const OBJECTS = [
  'issues and pull requests', 'events and reminders', 'pages and databases', 'messages in channels', 'notes and tags',
  'files in a workspace', 'forecasts for a location', 'tasks with due dates', 'records in a table', 'media and playlists',
];
const WHEN = [
  'Use when the user asks about it by name or describes the task in their own words',
  'Use for scheduled jobs that need fresh data before they report back',
  'Do not use for questions the conversation already answers',
  'Prefer it over a web search when the data is private to the user',
  'Ask before any change that cannot be undone, and report what changed afterwards',
  'Works offline from cached data when the service cannot be reached',
];
const STEPS = [
  'Read the request and name the object it is about.',
  'Check that the required environment variables are set; stop with a clear message if one is missing.',
  'Call the command with the narrowest query that answers the request.',
  'Parse the JSON output and keep only the fields the user asked for.',
  'Retry once after a rate-limit response, waiting as long as the Retry-After header says.',
  'Summarize the result in at most five lines and link the source.',
  'Write nothing to disk outside the workspace folder.',
];


function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

/** Right-skewed file sizes like real skill folders: most near the mean, a few long ones, within 1-10 KB. */
function fileSizes(random: () => number, count: number): number[] {
  const raw = Array.from({ length: count }, () => Math.exp(0.6 * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())));
  // The body is filled line by line and may overshoot its target by one line, hence the margin under the maximum.
  const clamp = (x: number) => Math.round(Math.min(MAX_FILE_BYTES - 256, Math.max(MIN_FILE_BYTES, x)));
  let scale = MEAN_FILE_BYTES / (raw.reduce((sum, x) => sum + x, 0) / count);
  // Clamping pulls the mean down, so the scale is refined until the clamped sizes average the target.
  for (let round = 0; round < 8; round++) {
    const mean = raw.reduce((sum, x) => sum + clamp(x * scale), 0) / count;
    scale *= MEAN_FILE_BYTES / mean;
  }
  return raw.map((x) => clamp(x * scale));
}

function description(random: () => number, name: string): string {
  // Real skill descriptions are long (they are the model's only cue for choosing a skill); about 770 characters
  // here is what makes 22 skills weigh the ~41 KB per snapshot of the OpenClaw report.
  const target = 530 + Math.floor(random() * 450);
  let text = `${pick(random, VERBS)} ${pick(random, OBJECTS)} through the ${name} integration.`;
  while (text.length < target) text += ` ${pick(random, WHEN)}; ${pick(random, VERBS).toLowerCase()} ${pick(random, OBJECTS)}.`;
  return text;
}

function body(random: () => number, name: string, bytes: number): string {
  const title = name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => `${dash ? ' ' : ''}${c.toUpperCase()}`);
  let text = `# ${title}\n\n${pick(random, WHEN)}.\n\n## Steps\n\n`;
  let step = 1;
  while (Buffer.byteLength(text) < bytes) {
    text += `${step++}. ${pick(random, STEPS)}\n`;
    if (step % 6 === 0) text += `\n\`\`\`sh\n${name} ${pick(random, VERBS).toLowerCase()} --json --limit ${1 + Math.floor(random() * 50)}\n\`\`\`\n\n`;
  }
  return text;
}

/** `count` deterministic skills; the same seed always gives byte-identical SKILL.md texts. */
export function generateSkills(options: GenerateSkillsOptions = {}): SkillDefinition[] {
  const { count = DEFAULT_SKILL_COUNT, seed = 55334, root = DEFAULT_SKILLS_ROOT } = options;
  const random = seededRandom(seed);
  const sizes = fileSizes(random, count);
  return sizes.map((size, i) => {
    const name = i < NAMES.length ? NAMES[i] : `${NAMES[i % NAMES.length]}-${Math.floor(i / NAMES.length)}`;
    const envPrefix = name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
    const requiredEnv = random() < 0.7 ? [`${envPrefix}_TOKEN`] : [`${envPrefix}_URL`, `${envPrefix}_API_KEY`];
    const text = description(random, name);
    const frontMatter =
      `---\nname: ${name}\ndescription: ${JSON.stringify(text)}\n` +
      `metadata: ${JSON.stringify({ openclaw: { requires: { env: requiredEnv } } })}\n---\n\n`;
    const markdown = frontMatter + body(random, name, Math.max(0, size - Buffer.byteLength(frontMatter)));
    return { name, description: text, requiredEnv, filePath: `${root}/${name}/SKILL.md`, markdown };
  });
}
