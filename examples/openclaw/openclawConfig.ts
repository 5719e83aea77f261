// The OpenClaw example's gateway config (pure: ports and token in, the JSON OpenClaw reads from
// OPENCLAW_CONFIG_PATH out). Every key was read from the installed package's docs/ folder; the ones that keep it
// from calling out are said beside them. The cron jobs are not config in OpenClaw: companion.ts adds them.
import { join } from 'node:path';
import { MOCK_MODEL_ID } from './mockReply.ts';

export const MOCK_PROVIDER = 'mock';

export interface OpenClawConfigOptions {
  gatewayPort: number;
  /** The mock model's base URL, ending in /v1. */
  modelUrl: string;
  token: string;
  /** The run's OpenClaw state folder; its log goes there too. */
  stateDir: string;
}

export function openclawConfig({ gatewayPort, modelUrl, token, stateDir }: OpenClawConfigOptions) {
  return {
    // docs/gateway/telemetry.md, docs/gateway/config-runtime.md: no update checks (and so no feature statistics),
    // no auto-update, no statistics even if a check ran.
    update: { checkOnStart: false, auto: { enabled: false } },
    telemetry: { enabled: false },
    // No mDNS advertising and no wide-area DNS-SD zone (OPENCLAW_DISABLE_BONJOUR=1 in launch.sh too).
    discovery: { mdns: { mode: 'off' } },
    models: {
      // No hosted model catalogue refresh, and only the mock provider: no other model is ever asked.
      catalogRefresh: { enabled: false },
      mode: 'replace',
      providers: {
        [MOCK_PROVIDER]: {
          baseUrl: modelUrl,
          apiKey: 'mock',
          api: 'openai-completions',
          models: [{
            id: MOCK_MODEL_ID, name: 'soakgate mock model', reasoning: false, input: ['text'],
            cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, contextWindow: 128_000, maxTokens: 4096,
          }],
        },
      },
    },
    // Its log defaults to /tmp/openclaw whatever TMPDIR says (docs/logging.md): keep it in the run.
    logging: { file: join(stateDir, 'logs', 'openclaw.log') },
    agents: { defaults: { model: { primary: `${MOCK_PROVIDER}/${MOCK_MODEL_ID}` } } },
    // Tool Search (on by default) hides sessions_spawn behind tool_search/tool_call; direct schemas offer it to
    // the model, so the mock can call it (docs/tools/tool-search.md).
    tools: { toolSearch: false },
    gateway: {
      mode: 'local',
      port: gatewayPort,
      bind: 'loopback',
      auth: { mode: 'token', token },
      // POST /v1/chat/completions, off by default (docs/gateway/openai-http-api.md).
      http: { endpoints: { chatCompletions: { enabled: true } } },
    },
  };
}
