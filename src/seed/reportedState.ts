// Writes the state of the OpenClaw #55334 report into a data dir, in the naive on-disk format: 188 sessions.json
// keys (78 ended sub-agents and 40 ended cron runs never pruned, each cron job's key holding a copy of its last
// run, every entry with its own skills snapshot) and 153 orphan transcripts of about 36.4 MB. Both stores open it:
// the naive one as it is, the dedup one by migrating it. Deterministic from `seed` and `now`.
import { mkdir, open, rename, stat, writeFile } from 'node:fs/promises';
import { chatSessionKey, cronJobKey, cronRunKey, mainSessionKey, subagentDepth, subagentSessionKey } from '../keys.ts';
import { syncDir } from '../store/atomicWrite.ts';
import { PRIVATE_DIR_MODE, storePaths, transcriptFileName, transcriptPath, type StorePaths } from '../store/paths.ts';
import type { SessionEntry, SessionKind, SkillsSnapshot } from '../store/sessionStore.ts';
import { seededRandom } from '../../lib/seededRandom.ts';
import { generateSkills } from '../skills/generate.ts';
import { buildSkillsSnapshot, type SkillDefinition } from '../skills/snapshot.ts';
import { transcriptHeaderLine } from '../transcripts.ts';

export interface ReportedStateOptions {
  dataDir: string;
  agentId?: string;
  skills?: SkillDefinition[];
  seed?: number;
  /** Chat sessions beyond the report's, e.g. 1,000 or 5,000 for the spawn benchmark (never pruned by either store). */
  extraHumanSessions?: number;
  completedSubagents?: number;
  completedCronRuns?: number;
  cronJobs?: number;
  /** Chat sessions of the report; with the main session and the cron-job keys, the defaults make 188 keys. */
  humanSessions?: number;
  orphanTranscripts?: number;
  orphanBytes?: number;
  now?: number;
}

export interface ReportedStateSummary {
  sessionsFile: string;
  /** Keys in sessions.json, the cron-job copies included (188 by default). */
  sessionKeys: number;
  byKind: Record<SessionKind, number>;
  sessionsFileBytes: number;
  transcriptFiles: number;
  orphanTranscripts: number;
  orphanBytes: number;
}

export class SeedStateExistsError extends Error {
  constructor(readonly file: string) {
    super(`${file} already exists: the reported state is only written into an empty data dir`);
    this.name = 'SeedStateExistsError';
  }
}

const CHANNELS = ['telegram', 'whatsapp', 'discord', 'slack', 'signal'];
const TASKS = [
  'summarize the unread mail', 'check the build status', 'triage new issues', 'draft the weekly report',
  'find a free slot on the calendar', 'compare flight prices', 'clean up the downloads folder', 'translate the release notes',
];
const MINUTE = 60_000;

function seededUuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A transcript's lines: the session header, then `messages` turns chained by parentId, padded to about `bytes`. */
function transcriptText(random: () => number, sessionId: string, startedAt: number, messages: number, bytes = 0): string {
  let text = transcriptHeaderLine(sessionId, startedAt);
  let parentId: string | null = null;
  const padding = 'Tool output: rows fetched, fields checked, nothing unexpected. '.repeat(24);
  // The lines are ASCII, so string length is byte length.
  for (let turn = 0; turn < messages || text.length < bytes; turn++) {
    const id = Math.floor(random() * 0xffffffff).toString(16).padStart(8, '0');
    const role = turn % 2 === 0 ? 'user' : 'assistant';
    const body = `${TASKS[turn % TASKS.length]}: ${padding.slice(0, 200 + Math.floor(random() * 1300))}`;
    const line = { type: 'message', id, parentId, timestamp: new Date(startedAt + turn * 1000).toISOString(), message: { role, content: [{ type: 'text', text: body }] } };
    text += `${JSON.stringify(line)}\n`;
    parentId = id;
  }
  return text;
}

/** sessions.json as the naive store writes it (one compact JSON object), streamed so 5,000 x 41 KB fits in memory. */
async function writeNaiveSessionsFile(paths: StorePaths, sessions: [string, SessionEntry][], snapshotJson: string): Promise<void> {
  const temp = `${paths.sessionsFile}.seed.tmp`;
  const handle = await open(temp, 'w');
  try {
    let chunk = '{';
    for (const [i, [key, entry]] of sessions.entries()) {
      const { skillsSnapshot: _shared, ...fields } = entry;
      chunk += `${i > 0 ? ',' : ''}${JSON.stringify(key)}:${JSON.stringify(fields).slice(0, -1)},"skillsSnapshot":${snapshotJson}}`;
      if (chunk.length > 4 * 1024 * 1024) {
        await handle.write(chunk);
        chunk = '';
      }
    }
    await handle.write(`${chunk}}`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, paths.sessionsFile);
  await syncDir(paths.sessionsDir);
}

type SessionCounts = Required<Pick<ReportedStateOptions, 'extraHumanSessions' | 'completedSubagents' | 'completedCronRuns' | 'cronJobs' | 'humanSessions'>>;

interface SeededTranscript {
  sessionId: string;
  startedAt: number;
  messages: number;
}

/** The report's gateway ran for days: sessions are spread over the last week, newest last. */
function weekAgo(random: () => number): number {
  return Math.floor((0.05 + random() * 7) * 24 * 60 * MINUTE);
}

/** The sessions.json keys of the report (cron-job copies included) and the transcript each session has. */
function reportedSessions(random: () => number, snapshot: SkillsSnapshot, counts: SessionCounts, agentId: string, now: number) {
  const { extraHumanSessions, completedSubagents, completedCronRuns, cronJobs, humanSessions } = counts;
  const sessions: [string, SessionEntry][] = [];
  const transcripts: SeededTranscript[] = [];
  const add = (fields: Omit<SessionEntry, 'sessionId' | 'createdAt' | 'updatedAt' | 'messageCount' | 'transcriptFile' | 'skillsSnapshot'>, ageMs: number, ended: boolean) => {
    const sessionId = seededUuid(random);
    const createdAt = now - ageMs;
    const messageCount = 2 + Math.floor(random() * 10);
    const updatedAt = createdAt + messageCount * 1000;
    const entry: SessionEntry = { ...fields, sessionId, createdAt, updatedAt, messageCount, transcriptFile: transcriptFileName(sessionId), skillsSnapshot: snapshot };
    if (ended) entry.endedAt = updatedAt;
    sessions.push([entry.key, entry]);
    transcripts.push({ sessionId, startedAt: createdAt, messages: messageCount });
    return entry;
  };

  const main = add({ key: mainSessionKey(agentId), kind: 'main', status: 'active' }, 7 * 24 * 60 * MINUTE, false);
  const humans = Array.from({ length: humanSessions + extraHumanSessions }, (_, i) => {
    const channel = i < humanSessions ? CHANNELS[i % CHANNELS.length] : 'webchat';
    const peer = i < humanSessions ? `user-${i + 1}` : `bench-${i - humanSessions + 1}`;
    return add({ key: chatSessionKey(channel, peer, agentId), kind: 'chat', status: 'active', channel, peer }, weekAgo(random), false);
  });
  const parents = [main, ...humans.slice(0, humanSessions)];
  for (let i = 0; i < completedSubagents; i++) {
    // About one in four sub-agents was spawned by another sub-agent (nested keys, depth 2 or more).
    const nestUnder = i > 0 && random() < 0.25 ? sessions[sessions.length - 1][1] : undefined;
    const parent = nestUnder?.kind === 'subagent' ? nestUnder : parents[Math.floor(random() * parents.length)];
    const key = subagentSessionKey(parent.key, seededUuid(random));
    add({ key, kind: 'subagent', status: 'completed', parentKey: parent.key, depth: subagentDepth(key), task: TASKS[i % TASKS.length] }, weekAgo(random), true);
  }
  const lastRunOfJob = new Map<string, SessionEntry>();
  for (let i = 0; i < completedCronRuns; i++) {
    const jobId = `job-${String((i % cronJobs) + 1).padStart(2, '0')}`;
    const runId = seededUuid(random).slice(0, 8);
    const run = add({ key: cronRunKey(jobId, runId, agentId), kind: 'cronRun', status: 'completed', jobId, runId }, (completedCronRuns - i) * 30 * MINUTE, true);
    lastRunOfJob.set(jobId, run);
  }
  // The bug's double write: each cron job's own key holds the same entry as its latest run.
  for (const [jobId, run] of lastRunOfJob) sessions.push([cronJobKey(jobId, agentId), run]);
  return { sessions, transcripts };
}

/** Orphans are transcripts of sessions long gone from sessions.json; sizes vary, the total is about `bytes`. Returns it exactly. */
async function writeOrphanTranscripts(paths: StorePaths, random: () => number, count: number, bytes: number, now: number): Promise<number> {
  const weights = Array.from({ length: count }, () => 0.2 + random() * 1.6);
  const weightSum = weights.reduce((sum, w) => sum + w, 0);
  let total = 0;
  for (const weight of weights) {
    const sessionId = seededUuid(random);
    const target = Math.round((bytes * weight) / weightSum);
    let text = transcriptText(random, sessionId, now - weekAgo(random), 1, target);
    text = text.slice(0, text.lastIndexOf('\n', target) + 1) || text;
    total += text.length;
    await writeFile(transcriptPath(paths, transcriptFileName(sessionId)), text);
  }
  return total;
}

export async function seedReportedState(options: ReportedStateOptions): Promise<ReportedStateSummary> {
  const {
    dataDir,
    agentId = 'main',
    skills = generateSkills(),
    seed = 55334,
    extraHumanSessions = 0,
    completedSubagents = 78,
    completedCronRuns = 40,
    cronJobs = 12,
    humanSessions = 57,
    orphanTranscripts = 153,
    orphanBytes = 36_400_000,
    now = Date.now(),
  } = options;
  const paths = storePaths(dataDir, agentId);
  await mkdir(paths.sessionsDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (await stat(paths.sessionsFile).then(() => true, () => false)) throw new SeedStateExistsError(paths.sessionsFile);

  const random = seededRandom(seed);
  const snapshot = buildSkillsSnapshot(skills);
  const counts = { extraHumanSessions, completedSubagents, completedCronRuns, cronJobs, humanSessions };
  const { sessions, transcripts } = reportedSessions(random, snapshot, counts, agentId, now);
  await writeNaiveSessionsFile(paths, sessions, JSON.stringify(snapshot));
  for (const { sessionId, startedAt, messages } of transcripts) {
    await writeFile(transcriptPath(paths, transcriptFileName(sessionId)), transcriptText(random, sessionId, startedAt, messages));
  }
  const orphanTotal = await writeOrphanTranscripts(paths, random, orphanTranscripts, orphanBytes, now);

  const byKind: Record<SessionKind, number> = { main: 0, chat: 0, subagent: 0, cron: 0, cronRun: 0 };
  for (const [key, entry] of sessions) byKind[key === entry.key ? entry.kind : 'cron']++;
  return {
    sessionsFile: paths.sessionsFile,
    sessionKeys: sessions.length,
    byKind,
    sessionsFileBytes: (await stat(paths.sessionsFile)).size,
    transcriptFiles: transcripts.length + orphanTranscripts,
    orphanTranscripts,
    orphanBytes: orphanTotal,
  };
}
