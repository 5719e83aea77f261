// The process harness/heap/diagnosisProcess.ts starts to read heap snapshots with memlab: parsing a large snapshot
// is minutes of synchronous work, which here blocks no one. Plain JavaScript that registers tsx, as bin/soakgate.js
// does, because it is started by path with no loader flags. Its argument is the run folder; it imports memlab at
// once (seconds, more on a loaded machine) while the harness takes the snapshots, says it is ready, and answers one
// request over the IPC channel.
import { register } from 'tsx/esm/api';

register();

const { loadMemlab } = await import('./memlab.ts');
const { diagnoseHeap } = await import('./diagnose.ts');
const loading = loadMemlab(process.argv[2]).catch(() => {});
process.once('message', async ({ snapshotPaths, options }) => {
  let answer;
  try {
    await loading;
    answer = { diagnosis: await diagnoseHeap(snapshotPaths, options) };
  } catch (err) {
    answer = { error: err instanceof Error ? err.message : String(err) };
  }
  process.send(answer, () => process.disconnect());
});
process.send({ ready: true });
