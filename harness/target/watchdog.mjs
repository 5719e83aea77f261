// The harness's watchdog: a small process beside the harness, in a session of its own, that outlives it only to
// clean up. Node has no parent-death signal (prctl), and a target runs in its own process group (so a Ctrl-C reaches
// the harness alone), so without this a harness killed with SIGKILL would leave its target running. Plain JavaScript,
// so it starts without tsx.
//
// The harness writes lines on this process's stdin:
//   target <pid> <graceMs>   a target started in its own process group (its pgid is its pid)
//   stopped <pid>            the harness saw that target end
//   folder <path>            a folder to remove should the harness die (its probe socket folder)
//   removed <path>           the harness removed that folder itself
// End of stdin means the harness is gone, however it ended: the kernel closes its end of the pipe even on SIGKILL.
// Then every folder still listed is removed, and every target group still listed gets SIGTERM, then SIGKILL once
// its grace is over.
import { rmSync } from 'node:fs';

const targets = new Map();
const folders = new Set();
let pending = '';

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  const lines = (pending + chunk).split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) read(line);
});
process.stdin.on('end', () => void cleanUp());
process.stdin.on('error', () => void cleanUp());

function read(line) {
  const [verb, ...rest] = line.split(' ');
  const value = rest.join(' ');
  if (verb === 'target') targets.set(Number(rest[0]), Number(rest[1]));
  else if (verb === 'stopped') targets.delete(Number(value));
  else if (verb === 'folder') folders.add(value);
  else if (verb === 'removed') folders.delete(value);
}

let cleaning = false;
async function cleanUp() {
  if (cleaning) return;
  cleaning = true;
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  await Promise.all([...targets].map(([pid, graceMs]) => stopGroup(pid, graceMs)));
  process.exit(0);
}

async function stopGroup(pgid, graceMs) {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (!signalGroup(pgid, 0)) return;
  }
  signalGroup(pgid, 'SIGKILL');
}

/** False once no process is left in the group. */
function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}
