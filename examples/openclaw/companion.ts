// What runs beside the OpenClaw gateway in the example, as one process outside its process tree (launch.sh starts
// it detached, so the gateway's tree RSS is OpenClaw's alone): the mock model, and the example's two cron jobs,
// added through OpenClaw's own CLI once the gateway is ready and kept in its SQLite state from then on. It ends
// when the gateway's pid is gone. Usage: node --import tsx companion.ts --model-port P --gateway-port G --gateway-pid PID
import { execFile } from 'node:child_process';
import { parseArgs } from 'node:util';
import { isRunning } from '../../harness/target/processAlive.ts';
import { startMockModel, type MockModel } from './mockModel.ts';

/** Two agent jobs on their own isolated sessions, delivering nowhere; the declaration key makes a re-add a no-op. */
export const CRON_JOBS = [
  { key: 'soak-cron-status', every: '15s', message: 'Cron: write a one-line status of the workspace.' },
  { key: 'soak-cron-digest', every: '20s', message: 'Cron: summarise the day so far in one sentence.' },
] as const;

const { values } = parseArgs({
  options: { 'model-port': { type: 'string' }, 'gateway-port': { type: 'string' }, 'gateway-pid': { type: 'string' } },
});
const gatewayPid = Number(values['gateway-pid']);
const model = await listenWhenFree(Number(values['model-port']));
console.log(`mock model listening on ${model.url}`);
exitWhenGone(gatewayPid, model);
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void model.close().then(() => process.exit(0)));
await addCronJobs(`http://127.0.0.1:${values['gateway-port']}/readyz`);

// After a restart the last run's companion may hold the port for up to a second more (it polls the old pid).
async function listenWhenFree(port: number): Promise<MockModel> {
  for (let tries = 0; ; tries += 1) {
    try {
      return await startMockModel(port);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || tries >= 40) throw error;
      await delay(250);
    }
  }
}

async function addCronJobs(readyUrl: string): Promise<void> {
  while (!(await answers(readyUrl))) await delay(1000);
  for (const job of CRON_JOBS) {
    // The gateway's own Node and entry, with the gateway's environment (state folder, config, token).
    const args = [process.env.SOAK_OPENCLAW_ENTRY!, 'cron', 'add', '--name', job.key, '--declaration-key', job.key, '--every', job.every,
      '--session', 'isolated', '--no-deliver', '--message', job.message];
    const result = await run(process.env.SOAK_OPENCLAW_NODE!, args);
    console.log(`cron job ${job.key} every ${job.every}: ${result}`);
  }
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 120_000 }, (error, _stdout, stderr) => resolve(error ? `not added (${error.message.split('\n')[0]}; ${stderr.trim().split('\n').at(-1)})` : 'added'));
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

// Polled rather than signalled: the launcher execs into the gateway, so nothing is left to tell the companion. A
// gateway that has exited but is not yet reaped (the harness busy reading heap snapshots) counts as gone.
function exitWhenGone(pid: number, mock: MockModel): void {
  setInterval(() => {
    if (!isRunning(pid)) void mock.close().then(() => process.exit(0));
  }, 1000);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
