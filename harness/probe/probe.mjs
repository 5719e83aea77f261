// Loaded into any Node target with NODE_OPTIONS="--import <this file>", with no change to the target's code:
// answers the soakgate harness's requests for heap, GC and event-loop figures and heap snapshots over a Unix socket.
// Plain JavaScript so it runs in any Node process, TypeScript loader or not. It must never keep the target
// alive, change how it exits, or throw into it.
import net from 'node:net';
import v8 from 'node:v8';
import { constants, performance, PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

const socketPath = process.env.SOAKGATE_PROBE_SOCKET;
if (socketPath && isMainThread) startProbe(socketPath);

function startProbe(path) {
  // Figures for the current window; the harness reads and resets them once per sample.
  let gcCount = 0;
  let gcPauseMs = 0;
  let windowFullGcLow = Infinity;
  let lastFullGc = null;
  let windowAnyGcLow = Infinity;
  let lastAnyGc = null;

  // The heap's floor is what a full (mark-compact) collection leaves. After a scavenge, old-space garbage still
  // counts, so the lowest heap after any GC climbs until the next full collection: the dedup gateway's rose
  // 5 MB/min for a minute with a flat live heap. Both are reported: heapFloorBytes from full collections (sparse
  // on a quiet target, exact), heapAfterGcBytes from every collection (dense, saw-toothed). The probe never
  // forces a collection: on a plain HTTP server one forced full GC every 2 s cost 1.5x its CPU per request at
  // 5,000 req/s and a quarter of its throughput at full speed, far more than the collection's own pause.
  const gcObserver = new PerformanceObserver((list) => {
    let full = false;
    for (const entry of list.getEntries()) {
      gcCount++;
      gcPauseMs += entry.duration;
      if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) full = true;
    }
    // Entries arrive batched just after the collections; the heap read here is what they left behind plus
    // whatever was allocated since, which is as close as a JS observer gets.
    const used = v8.getHeapStatistics().used_heap_size;
    lastAnyGc = used;
    if (used < windowAnyGcLow) windowAnyGcLow = used;
    if (full) {
      lastFullGc = used;
      if (used < windowFullGcLow) windowFullGcLow = used;
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });

  /** This window's lowest, else the last one seen (it still stands); null before the first. */
  function lowest(windowLow, last) {
    return windowLow !== Infinity ? windowLow : last;
  }

  // The histogram records the time between its timer's ticks, so the delay is what exceeds the resolution.
  const resolutionMs = 20;
  const loopDelay = monitorEventLoopDelay({ resolution: resolutionMs });
  loopDelay.enable();

  function takeWindow() {
    const heap = v8.getHeapStatistics();
    const memory = process.memoryUsage();
    const figures = {
      heapUsedBytes: heap.used_heap_size,
      heapTotalBytes: heap.total_heap_size,
      externalBytes: memory.external,
    };
    const afterGc = lowest(windowAnyGcLow, lastAnyGc);
    // Before the target's first full collection, the lowest after any GC is the best floor there is.
    const floor = lowest(windowFullGcLow, lastFullGc) ?? afterGc;
    if (floor !== null) figures.heapFloorBytes = floor;
    if (afterGc !== null) figures.heapAfterGcBytes = afterGc;
    if (loopDelay.count > 0) {
      figures.eventLoopDelayP50Ms = Math.max(0, loopDelay.percentile(50) / 1e6 - resolutionMs);
      figures.eventLoopDelayP99Ms = Math.max(0, loopDelay.percentile(99) / 1e6 - resolutionMs);
    }
    figures.gcCount = gcCount;
    figures.gcPauseMs = gcPauseMs;
    gcCount = 0;
    gcPauseMs = 0;
    windowFullGcLow = Infinity;
    windowAnyGcLow = Infinity;
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
