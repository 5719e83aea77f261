// Loaded into any Node target with NODE_OPTIONS="--import <this file>", with no change to the target's code:
// answers the soakgate harness's requests for heap, GC and event-loop figures and heap snapshots over a Unix socket.
// Plain JavaScript so it runs in any Node process, TypeScript loader or not. It must never keep the target
// alive, change how it exits, or throw into it.
import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { constants, performance, PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

const socketPath = process.env.SOAKGATE_PROBE_SOCKET;
if (socketPath && isMainThread) startProbe(socketPath);

function startProbe(path) {
  // Figures for the current window; the harness reads and resets them once per sample.
  let gcCount = 0;
  let gcPauseMs = 0;
  let probeGcMs = 0;
  let windowFloor = Infinity;
  let lastFloor = null;

  // The heap's floor is what a full collection leaves. After a scavenge, old-space garbage still counts and the
  // figure climbs until the next full collection, which a target may not run for minutes (two in a 40 s run of
  // the naive gateway): too few points for a slope. So the probe runs a full collection itself when the harness
  // asks for a sample, at most every FULL_GC_GAP_MS and never more than 1% of the time (100x its last cost).
  // Full collections the target runs by itself count too.
  const FULL_GC_GAP_MS = 2_000;
  v8.setFlagsFromString('--expose-gc');
  const fullGc = vm.runInNewContext('gc');
  let nextFullGcAt = 0;
  let ownForcedPending = 0;

  function noteFloor(used) {
    lastFloor = used;
    if (used < windowFloor) windowFloor = used;
  }

  function maybeFullGc() {
    const now = performance.now();
    if (now < nextFullGcAt) return;
    ownForcedPending++;
    fullGc();
    const costMs = performance.now() - now;
    noteFloor(v8.getHeapStatistics().used_heap_size);
    probeGcMs += costMs;
    nextFullGcAt = performance.now() + Math.max(FULL_GC_GAP_MS, 100 * costMs);
  }

  const gcObserver = new PerformanceObserver((list) => {
    let natural = false;
    for (const entry of list.getEntries()) {
      const forced = (entry.detail?.flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) !== 0;
      // The probe's own collections are its cost, reported apart, not the target's GC activity.
      if (forced && ownForcedPending > 0) {
        ownForcedPending--;
        continue;
      }
      gcCount++;
      gcPauseMs += entry.duration;
      if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) natural = true;
    }
    // Entries arrive batched just after the collections; the heap read here is what the full GC left behind
    // plus whatever was allocated since, which is as close as a JS observer gets.
    if (natural) noteFloor(v8.getHeapStatistics().used_heap_size);
  });
  gcObserver.observe({ entryTypes: ['gc'] });

  // The histogram records the time between its timer's ticks, so the delay is what exceeds the resolution.
  const resolutionMs = 20;
  const loopDelay = monitorEventLoopDelay({ resolution: resolutionMs });
  loopDelay.enable();

  function takeWindow() {
    maybeFullGc();
    const heap = v8.getHeapStatistics();
    const memory = process.memoryUsage();
    const figures = {
      heapUsedBytes: heap.used_heap_size,
      heapTotalBytes: heap.total_heap_size,
      externalBytes: memory.external,
    };
    // With no full collection in this window, the last one still tells the floor.
    const floor = windowFloor !== Infinity ? windowFloor : lastFloor;
    if (floor !== null) figures.heapFloorBytes = floor;
    if (loopDelay.count > 0) {
      figures.eventLoopDelayP50Ms = Math.max(0, loopDelay.percentile(50) / 1e6 - resolutionMs);
      figures.eventLoopDelayP99Ms = Math.max(0, loopDelay.percentile(99) / 1e6 - resolutionMs);
    }
    figures.gcCount = gcCount;
    figures.gcPauseMs = gcPauseMs;
    figures.probeGcMs = probeGcMs;
    gcCount = 0;
    gcPauseMs = 0;
    probeGcMs = 0;
    windowFloor = Infinity;
    loopDelay.reset();
    return figures;
  }

  function writeSnapshot(file) {
    const started = performance.now();
    const written = v8.writeHeapSnapshot(file);
    return { path: written, durationMs: performance.now() - started };
  }

  function answer(request) {
    if (request.op === 'sample') return { figures: takeWindow() };
    if (request.op === 'snapshot') return writeSnapshot(request.path);
    return { error: `unknown probe request '${request.op}'` };
  }

  const socket = net.createConnection(path);
  socket.unref();
  socket.setEncoding('utf8');
  // The harness may be gone (or never was): the target goes on as if no probe were loaded.
  socket.on('error', () => {});
  socket.on('close', () => {
    gcObserver.disconnect();
    loopDelay.disable();
  });
  socket.on('connect', () => {
    socket.write(JSON.stringify({ hello: { pid: process.pid, node: process.version } }) + '\n');
  });
  let partial = '';
  socket.on('data', (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line) continue;
      let reply;
      let id = null;
      try {
        const request = JSON.parse(line);
        id = request.id;
        reply = answer(request);
      } catch (err) {
        reply = { error: String(err && err.message ? err.message : err) };
      }
      socket.write(JSON.stringify({ id, ...reply }) + '\n');
    }
  });
}
