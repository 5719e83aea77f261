// launch.sh's first step, before it becomes the gateway: writes OpenClaw's config into the run's state folder and
// starts companion.ts (the mock model and the cron jobs) detached, so it is no child of the gateway, then waits
// until the mock model answers. Reads the environment launch.sh and scenarios/openclaw.ts set.
import { spawn } from 'node:child_process';
import { openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openclawConfig } from './openclawConfig.ts';

const MOCK_READY_TIMEOUT_MS = 30_000;

const { values } = parseArgs({ options: { 'gateway-pid': { type: 'string' } } });
const env = process.env;
const state = env.OPENCLAW_STATE_DIR!;
const modelUrl = `http://127.0.0.1:${env.SOAK_MODEL_PORT}/v1`;
writeFileSync(env.OPENCLAW_CONFIG_PATH!, `${JSON.stringify(openclawConfig({ gatewayPort: Number(env.SOAK_OPENCLAW_PORT), modelUrl, token: env.OPENCLAW_GATEWAY_TOKEN!, stateDir: state }), null, 2)}\n`);

const log = openSync(join(state, 'companion.log'), 'a');
const companion = spawn(process.execPath, [
  '--import', 'tsx', new URL('companion.ts', import.meta.url).pathname,
  '--model-port', env.SOAK_MODEL_PORT!, '--gateway-port', env.SOAK_OPENCLAW_PORT!, '--gateway-pid', values['gateway-pid']!,
], { detached: true, stdio: ['ignore', log, log] });
companion.unref();

const began = Date.now();
while (!(await answers(`${modelUrl}/models`))) {
  if (companion.exitCode !== null || Date.now() - began > MOCK_READY_TIMEOUT_MS) {
    console.error(`the mock model did not start on ${modelUrl}: see ${join(state, 'companion.log')}`);
    process.exit(1);
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}
