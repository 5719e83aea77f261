// The process harness/heap/diagnosisProcess.ts starts to read heap snapshots with memlab: parsing a large snapshot
// is minutes of synchronous work, which here blocks no one. Plain JavaScript that registers tsx, as bin/soakgate.js
// does, because it is started by path with no loader flags. Its argument is the run folder; it imports memlab at
// once (seconds, more on a loaded machine) while the harness takes the snapshots, says it is ready, reads each
// snapshot it is told of (`{ add }`) as soon as it is written, and answers one request for the diagnosis over the
// IPC channel.
import { register } from 'tsx/esm/api';

register();

const { loadMemlab } = await import('./memlab.ts');
const { diagnoseHeap } = await import('./diagnose.ts');
const { ShapeCensus } = await import('./shapeGrowth.ts');
const memlab = loadMemlab(process.argv[2]);
memlab.catch(() => {});
const census = memlab.then((loaded) => new ShapeCensus(loaded));
// Snapshots are read in the order they were written; one that fails here is read again, and its error told, when
// the diagnosis asks for it.
let reading = census.catch(() => {});
process.on('message', (message) => {
  if (typeof message.add === 'string') {
    reading = reading.then(async () => (await census).add(message.add)).catch(() => {});
    return;
  }
  const { snapshotPaths, options } = message;
  reading
    .then(async () => ({ diagnosis: await diagnoseHeap(snapshotPaths, options, await census) }))
    .catch((err) => ({ error: err instanceof Error ? err.message : String(err) }))
    .then((answer) => process.send(answer, () => process.disconnect()));
});
process.send({ ready: true });
