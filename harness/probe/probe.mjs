// Loaded into any Node target with NODE_OPTIONS="--import <this file>", with no change to the target's code:
// answers the soakgate harness's requests for heap, GC and event-loop figures and heap snapshots over a Unix socket.
// Plain JavaScript so it runs in any Node process, TypeScript loader or not. It must never keep the target
// alive, change how it exits, or throw into it.
import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { constants, performance, PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

function startProbe(path) {
  const collections = watchCollections();
  const loop = watchEventLoop();
  const settle = settler(collections);
  const answer = (request) => {
    if (request.op === 'sample') return { figures: takeWindow(collections, loop, request.settle === true ? settle : null) };
    if (request.op === 'snapshot') return writeSnapshot(request.path);
    return { error: `unknown probe request '${request.op}'` };
  };
  serve(path, answer, () => {
    collections.stop();
    loop.stop();
  });
}

// The heap's floor is what a full (mark-compact) collection leaves. After a scavenge, old-space garbage still
// counts, so the lowest heap after any GC climbs until the next full collection: the dedup gateway's rose 5 MB/min
// for a minute with a flat live heap. A busy target collects fully now and then, a quiet one almost never (the
// dedup gateway did not once in a minute of ci-gate), so the harness asks for settled readings at a cadence it
// chooses (see `settler`); the target's own full collections count as well. A window without either has no
// heapFloorBytes: repeating an old floor would read as a flat series with no noise.
/** The target's own collections in the current window: how many, their pauses, and the heap they left. */
function watchCollections() {
  const fresh = () => ({ count: 0, pauseMs: 0, fullGcLow: Infinity, anyGcLow: Infinity });
  let window = fresh();
  const observer = new PerformanceObserver((list) => {
    let full = false;
    for (const entry of list.getEntries()) {
      // The probe's own collections are the harness's cost, not the target's GC load.
      if ((entry.detail?.flags ?? 0) & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) continue;
      window.count++;
      window.pauseMs += entry.duration;
      if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) full = true;
    }
    // Entries arrive batched just after the collections; the heap read here is what they left behind plus
    // whatever was allocated since, which is as close as a JS observer gets.
    const used = v8.getHeapStatistics().used_heap_size;
    window.anyGcLow = Math.min(window.anyGcLow, used);
    if (full) window.fullGcLow = Math.min(window.fullGcLow, used);
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    /** A heap left by a full collection the probe forced. */
    fullCollection(used) {
      window.fullGcLow = Math.min(window.fullGcLow, used);
    },
    /** This window's figures; a new window begins. */
    take() {
      const taken = window;
      window = fresh();
      return taken;
    },
    stop: () => observer.disconnect(),
  };
}

// A full collection, forced or the target's own, makes V8 throw away optimised code that embeds objects it frees
// ("weak objects", then "wrong map" deoptimisations of the code that used them), and the target pays for re-warming
// its hot code: 0.5-2 s of its CPU per settle, measured side by side on a loaded machine (bench:probe;
// docs/ARCHITECTURE.md, "Settled samples"). A target with idle time absorbs that as CPU and slower answers; one
// whose clients wait for its answers pays it in throughput, which is why the default cadence is 30 s. A saturated
// target would pay it in full, so the probe does not settle a target whose event loop was busy 90% of the time or
// more since the last sample: it is read at its own full collections. A busy but not saturated target is settled:
// the naive gateway under ci-gate's load runs at about 75%, and its heap floor would otherwise have three points
// in 40 s. On a CPU shared with other processes a server driven flat out read only 40-88% busy and was settled.
const MAX_SETTLE_UTILIZATION = 0.9;

/** A settled reading: one full collection, then the heap and the RSS it left (the heap's floor, no garbage). */
function settler(collections) {
  // gc() without the target's --expose-gc: the flag is set at run time and the function taken from a fresh
  // context, so the target's own global scope never sees it.
  let forceFullGc = null;
  return () => {
    if (!forceFullGc) {
      v8.setFlagsFromString('--expose-gc');
      forceFullGc = vm.runInNewContext('gc');
    }
    const started = performance.now();
    forceFullGc();
    const settlePauseMs = performance.now() - started;
    collections.fullCollection(v8.getHeapStatistics().used_heap_size);
    return { rssAfterFullGcBytes: process.memoryUsage.rss(), settlePauseMs };
  };
}

// The histogram records the time between its timer's ticks, so the delay is what exceeds the resolution.
const RESOLUTION_MS = 20;

/** How busy the event loop was in the current window, and how late its timers ran. */
function watchEventLoop() {
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  let last = performance.eventLoopUtilization();
  return {
    take() {
      const figures = { eventLoopUtilization: performance.eventLoopUtilization(last).utilization };
      last = performance.eventLoopUtilization();
      if (delay.count > 0) {
        figures.eventLoopDelayP50Ms = Math.max(0, delay.percentile(50) / 1e6 - RESOLUTION_MS);
        figures.eventLoopDelayP99Ms = Math.max(0, delay.percentile(99) / 1e6 - RESOLUTION_MS);
      }
      delay.reset();
      return figures;
    },
    stop: () => delay.disable(),
  };
}

/** One sample's figures, settled first when `settle` is given and the event loop was not saturated. */
function takeWindow(collections, loop, settle) {
  const busy = loop.take();
  const settled = settle ? (busy.eventLoopUtilization >= MAX_SETTLE_UTILIZATION ? { settleDeferred: 1 } : settle()) : null;
  const heap = v8.getHeapStatistics();
  const gc = collections.take();
  const figures = {
    heapUsedBytes: heap.used_heap_size,
    heapTotalBytes: heap.total_heap_size,
    externalBytes: process.memoryUsage().external,
    ...settled,
    ...busy,
    gcCount: gc.count,
    gcPauseMs: gc.pauseMs,
  };
  if (gc.fullGcLow !== Infinity) figures.heapFloorBytes = gc.fullGcLow;
  if (gc.anyGcLow !== Infinity) figures.heapAfterGcBytes = Math.min(gc.anyGcLow, gc.fullGcLow);
  return figures;
}

function writeSnapshot(file) {
  const started = performance.now();
  const written = v8.writeHeapSnapshot(file);
  // Writing a snapshot collects fully first, so the heap right after it is a floor: how much it grew between
  // two snapshots is the growth the diagnosis has to explain.
  return { path: written, durationMs: performance.now() - started, heapUsedBytes: v8.getHeapStatistics().used_heap_size };
}

/** The harness's socket: one JSON request per line, one reply per request, carrying its id. */
function serve(path, answer, onClose) {
  const socket = net.createConnection(path);
  socket.unref();
  socket.setEncoding('utf8');
  // The harness may be gone (or never was): the target goes on as if no probe were loaded.
  socket.on('error', () => {});
  socket.on('close', onClose);
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

// Last, once the constants above are set.
const socketPath = process.env.SOAKGATE_PROBE_SOCKET;
if (socketPath && isMainThread) startProbe(socketPath);
