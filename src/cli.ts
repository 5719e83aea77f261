// `soakgate gateway`: opens the chosen session store, serves the gateway API on 127.0.0.1, runs the cron jobs and
// the prune tick, and on SIGTERM or SIGINT stops them, flushes the store and returns 0.
import { existsSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { CronScheduler, cronJobs } from './cron/scheduler.ts';
import { GATEWAY_USAGE, UsageError, parseGatewayArgs, type GatewayOptions } from './gatewayOptions.ts';
import { createMetrics } from './metrics.ts';
import { SharedStats } from './stats.ts';
import { seedReportedState } from './seed/reportedState.ts';
import { buildServer } from './server.ts';
import { HumanSessions } from './sessions/humanSessions.ts';
import { pruneTickMs, startPruneTicker } from './sessions/pruneTicker.ts';
import { SessionWriter } from './sessions/sessionWriter.ts';
import { WorkRunner } from './sessions/work.ts';
import { generateSkills } from './skills/generate.ts';
import { SkillsDirError, loadSkillsDir } from './skills/loadDir.ts';
import { buildSkillsSnapshot, type SkillDefinition } from './skills/snapshot.ts';
import { createStore } from './store/createStore.ts';
import { CorruptStoreError } from './store/corruptStoreError.ts';
import { DamagedSessionError } from './store/damagedSessionError.ts';
import { DataDirError, asDataDirError } from './store/dataDirError.ts';
import { storePaths } from './store/paths.ts';

const EXIT_OK = 0;
const EXIT_USAGE = 2;
const EXIT_INTERRUPTED = 130;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Resolves with the first SIGTERM or SIGINT; a second one means "stop now" and exits 130 at once. */
function nextStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.on('SIGTERM', () => process.exit(EXIT_INTERRUPTED));
      process.on('SIGINT', () => process.exit(EXIT_INTERRUPTED));
      resolve(signal);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}

async function loadSkills(options: GatewayOptions): Promise<SkillDefinition[]> {
  return options.skillsDir === undefined ? generateSkills({ count: options.skills }) : loadSkillsDir(options.skillsDir);
}

/** The data dir must be a folder (or not exist yet); a file there would otherwise fail deep inside the store. */
function checkDataDir(dataDir: string): void {
  const found = statSync(dataDir, { throwIfNoEntry: false });
  if (found && !found.isDirectory()) throw new DataDirError(dataDir, 'it is a file, and --data-dir must be a folder');
}

/**
 * Opens the store and brings it level (runs a previous process left running are failed, the main session exists).
 * A file-system refusal here is about the data dir the user gave, so it becomes a DataDirError naming the path.
 */
async function openStore(options: GatewayOptions, skills: SkillDefinition[]) {
  const paths = storePaths(options.dataDir);
  try {
    checkDataDir(options.dataDir);
    if (options.seedState) {
      if (existsSync(paths.sessionsFile)) log(`--seed-state: ${paths.sessionsFile} already exists, starting from it as it is`);
      else await seedReportedState({ dataDir: options.dataDir, skills });
    }
    const store = createStore(options.store, {
      dataDir: options.dataDir,
      fixes: new Set(options.fixes),
      pruneAfterMs: options.pruneAfterMs / options.timeScale,
      log,
    });
    const opened = await store.open();
    log(`${options.store} store opened: ${opened.sessions} sessions in ${Math.round(opened.durationMs)} ms`);

    const writer = new SessionWriter({ store, paths, skillsSnapshot: buildSkillsSnapshot(skills), now: Date.now, log });
    const sessions = new HumanSessions(writer, paths.agentId);
    const work = new WorkRunner(writer, store, options.timeScale, log);
    const interrupted = await work.failInterrupted();
    if (interrupted > 0) log(`${interrupted} sub-agent and cron runs left running by a previous process marked failed`);
    await sessions.ensureMainSession();
    return { store, sessions, work };
  } catch (error) {
    throw asDataDirError(error);
  }
}

async function serve(options: GatewayOptions): Promise<number> {
  const skills = await loadSkills(options);
  const { store, sessions, work } = await openStore(options, skills);

  const stats = new SharedStats(store);
  const jobs = cronJobs(options.cronJobs, options.timeScale);
  const app = buildServer({ store, cronJobs: jobs, sessions, work, stats, metrics: createMetrics(stats) }, { requestTimeoutMs: options.requestTimeoutMs });
  try {
    await app.listen({ host: '127.0.0.1', port: options.port });
  } catch (error) {
    await store.close();
    throw new UsageError(`cannot listen on 127.0.0.1:${options.port}: ${(error as Error).message}`);
  }
  const cron = new CronScheduler(jobs, (jobId) => work.runCronJob(jobId), (jobId, error) =>
    log(`cron ${jobId} failed to start a run: ${(error as Error).message}`),
  );
  cron.start();
  const pruneAfterMs = options.pruneAfterMs / options.timeScale;
  const ticker = startPruneTicker((now) => store.prune(now), pruneTickMs(pruneAfterMs), Date.now, (error) =>
    log(`prune failed: ${(error as Error).message}`),
  );
  const stopSignal = nextStopSignal();
  process.stdout.write(`listening on http://127.0.0.1:${(app.server.address() as AddressInfo).port}\n`);

  const signal = await stopSignal;
  log(`${signal}: stopping, flushing the session store`);
  await cron.stop();
  await ticker.stop();
  await app.close();
  await work.stop();
  await store.flush();
  await store.close();
  return EXIT_OK;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const options = parseGatewayArgs(argv);
    if (options === 'help') {
      console.log(GATEWAY_USAGE);
      return EXIT_OK;
    }
    return await serve(options);
  } catch (error) {
    if (error instanceof UsageError || error instanceof SkillsDirError) {
      log(`soakgate gateway: ${error.message}\n(run soakgate gateway --help for the options)`);
      return EXIT_USAGE;
    }
    if (error instanceof CorruptStoreError || error instanceof DataDirError || error instanceof DamagedSessionError) {
      log(`soakgate gateway: ${error.message}`);
      return EXIT_USAGE;
    }
    throw error;
  }
}
