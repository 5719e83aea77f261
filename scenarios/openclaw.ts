// A real third-party gateway: OpenClaw (npm `openclaw`, pinned in examples/openclaw/openclawCache.ts) under Node 26,
// answering through a mock OpenAI-compatible model on loopback, as a command target. Chat turns over its HTTP API
// from four virtual users, one of them asking for a sub-agent each turn, and two persisted cron jobs of its own. Install first (outside the
// repository, about 850 MB): npm run example:openclaw:install. How it is put together: examples/openclaw/launch.sh.
import { defineScenario } from '../harness/index.ts';
import { INSTALL_COMMAND, isInstalled, NODE_VERSION, OPENCLAW_VERSION, openclawCache } from '../examples/openclaw/openclawCache.ts';
import { SPAWN_PHRASE } from '../examples/openclaw/mockReply.ts';

const cache = openclawCache();
if (!isInstalled(cache)) {
  throw new Error(`openclaw@${OPENCLAW_VERSION} and Node ${NODE_VERSION} are not installed in ${cache.dir}: run \`${INSTALL_COMMAND}\` first (about 850 MB, outside the repository; SOAKGATE_OPENCLAW_CACHE chooses another folder)`);
}
// Not OpenClaw's default port (18789), so a gateway of one's own on this machine is left alone.
const gatewayPort = Number(process.env.SOAK_OPENCLAW_PORT ?? 28789);
const modelPort = Number(process.env.SOAK_MODEL_PORT ?? 28790);
const token = 'soakgate-openclaw-example';
// OpenClaw's state lives in the run folder (launch.sh puts it in $SOAKGATE_RUN_DIR/openclaw).
const agentDb = '{runDir}/openclaw/agents/main/agent/openclaw-agent.sqlite';
const stateDb = '{runDir}/openclaw/state/openclaw.sqlite';

// One chat turn on a new session each time (the endpoint is stateless without a `user`), as OpenClaw's own
// OpenAI-compatible clients send them. Closed loop: a turn takes seconds to half a minute on 2 cores, and an open
// loop buried the gateway under turns it kept running after they timed out.
const turn = (op: string, users: number, content: string) => ({
  kind: 'http' as const,
  method: 'POST' as const,
  path: '/v1/chat/completions',
  headers: { authorization: `Bearer ${token}` },
  body: { model: 'openclaw/default', messages: [{ role: 'user', content }] },
  op,
  users,
  thinkTime: '2s',
  requestTimeout: '120s',
});

export default defineScenario({
  name: 'openclaw',
  description:
    `openclaw@${OPENCLAW_VERSION} on Node ${NODE_VERSION} with a mock model: chat turns over /v1/chat/completions, four ` +
    'virtual users (one asking for a sub-agent each turn, sessions_spawn), two cron jobs of its own every 15 and 20 ' +
    'seconds; its SQLite rows sampled as state.',
  target: {
    command: {
      name: 'openclaw',
      argv: ['examples/openclaw/launch.sh'],
      cwd: '..',
      env: {
        SOAK_SCRIPT_NODE: process.execPath,
        SOAK_OPENCLAW_NODE: cache.node,
        SOAK_OPENCLAW_ENTRY: cache.entry,
        SOAK_OPENCLAW_PORT: String(gatewayPort),
        SOAK_MODEL_PORT: String(modelPort),
        OPENCLAW_GATEWAY_TOKEN: token,
      },
      // Printed with no URL (and in colour): the URL comes from `port`, readiness from /readyz after the line.
      ready: '\\[gateway\\] http server listening',
      port: gatewayPort,
      health: '/readyz',
      healthInterval: '1s',
      // 24 s to listen on a loaded 2-core machine, ready about 5 s later; a stop drains the turns in flight.
      readyTimeout: '180s',
      stopGrace: '60s',
    },
  },
  duration: '10m',
  // The first turns compile what a turn needs: the heap floor climbs about 65 MiB in the first minute, then a few MiB a
  // minute, released now and then at no fixed time; that is measured, not hidden. One minute of warmup leaves nine to
  // measure: RSS holds for minutes before it climbs, and a window from 90 or 120 s left it undecided in one run of
  // seven where the window from 60 s decided it (BENCHMARKS.md).
  warmup: '60s',
  // A sample every 3 s; a settled reading's reply comes seconds late here and goes into the next one.
  sampleInterval: '3s',
  // One full collection of its heap pauses OpenClaw 0.5-1.6 s on a quiet 2-core machine and 1.5-10 s on a loaded one
  // (one every 10 s took 20-35% of its time there and turns timed out). One every 30 s gave sixteen settled points in
  // eight minutes, and its settled RSS missed a verdict by a hair (trend p 0.011 against 0.01); one every 15 s gives
  // 36 in the measured nine at 5% of a quiet machine's time (BENCHMARKS.md).
  settleInterval: '15s',
  // OpenClaw is saturated for most of a run (event loop about 90% busy on 2 cores), where the probe would force no
  // collection and leave its floor to OpenClaw's own few full collections; a soak of this example wants the floor more
  // than the turns its pauses cost (about 5% of the window on a quiet machine), so every settled reading is forced.
  settleAlways: true,
  timeScale: 1,
  seed: 1,
  load: [
    turn('turns', 3, 'Turn {{n}}: what is on the list for today?'),
    turn('spawnTurns', 1, `Turn {{n}}: please ${SPAWN_PHRASE} to count the words of the last note.`),
  ],
  // Its SQLite stores, whose WAL files stay about 4 MB whatever they hold (tables of openclaw@2026.9.6).
  state: {
    sessionRows: { sqlite: { file: agentDb, query: 'SELECT count(*) FROM session_nodes' } },
    transcriptEvents: { sqlite: { file: agentDb, query: 'SELECT count(*) FROM transcript_events' } },
    agentDbBytes: { sqlite: { file: agentDb, query: 'SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()' } },
    cronRuns: { sqlite: { file: stateDb, query: 'SELECT count(*) FROM cron_run_receipts' } },
    subagentRuns: { sqlite: { file: stateDb, query: 'SELECT count(*) FROM subagent_runs' } },
  },
});
