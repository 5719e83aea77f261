// Loaded into any Node target with NODE_OPTIONS="--import <this file>", with no change to the target's code:
// answers the soakgate harness's requests for heap, GC and event-loop figures and heap snapshots over a Unix socket.
// Plain JavaScript so it runs in any Node process, TypeScript loader or not. It must never keep the target
// alive, change how it exits, or throw into it.
import net from 'node:net';
import v8 from 'node:v8';
import { performance, PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

const socketPath = process.env.SOAKGATE_PROBE_SOCKET;
if (socketPath && isMainThread) startProbe(socketPath);

function startProbe(path) {
  // Figures for the current window; the harness reads and resets them once per sample.
  let gcCount = 0;
  let gcPauseMs = 0;
  let windowFloor = Infinity;
  let lastFloor = null;

  // The floor is the lowest heap seen just after a collection. Between two full collections it still counts
  // old-space garbage, so it climbs and drops with them; a full collection forced by the probe would give the
  // exact live heap, but measured on a plain HTTP server, one every 2 s cut its throughput by half (each one
  // costs the target far more than its own pause), so the probe only watches the collections the target runs.
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcCount++;
      gcPauseMs += entry.duration;
    }
    // Entries arrive batched just after the collections; the heap read here is what they left behind plus
    // whatever was allocated since, which is as close as a JS observer gets.
    const used = v8.getHeapStatistics().used_heap_size;
    lastFloor = used;
    if (used < windowFloor) windowFloor = used;
  });
  gcObserver.observe({ entryTypes: ['gc'] });

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
    // With no collection in this window, the last one still tells the floor; before the first, there is none.
    const floor = windowFloor !== Infinity ? windowFloor : lastFloor;
    if (floor !== null) figures.heapFloorBytes = floor;
    if (loopDelay.count > 0) {
      figures.eventLoopDelayP50Ms = Math.max(0, loopDelay.percentile(50) / 1e6 - resolutionMs);
      figures.eventLoopDelayP99Ms = Math.max(0, loopDelay.percentile(99) / 1e6 - resolutionMs);
    }
    figures.gcCount = gcCount;
    figures.gcPauseMs = gcPauseMs;
    gcCount = 0;
    gcPauseMs = 0;
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
