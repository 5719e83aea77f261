// runScenario for the commands that run scenarios (run, gate, compare, baseline), imported at the first run rather
// than at start-up: the run's machinery (target, sampler, storms, autocannon) is most of what a soakgate process
// loads, and a command refused for its command line or its scenario, or one that only prints --help, needs none of it.
import type * as Runner from '../run/runScenario.ts';

export async function runScenario(...args: Parameters<typeof Runner.runScenario>): ReturnType<typeof Runner.runScenario> {
  const { runScenario: run } = await import('../run/runScenario.ts');
  return run(...args);
}
