// Loaded into any Node target with NODE_OPTIONS="--import <this file>", with no change to the target's code:
// answers the soakgate harness's requests for heap, GC and event-loop figures and heap snapshots over a Unix socket.
// Plain JavaScript so it runs in any Node process, TypeScript loader or not. It must never keep the target
// alive, change how it exits, or throw into it.
import dc from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { constants, performance, PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread, threadId } from 'node:worker_threads';

function startProbe(path) {
  const collections = watchCollections();
  const loop = watchEventLoop();
  const settle = settler(collections);
  const workers = watchWorkers();
  // A harness that asks for forced settled readings asks at every one of them (a scenario's settleAlways): from
  // the first, the heap floor is theirs alone, at the samples between them too (see FLOATING_GARBAGE).
  let settlesAlways = false;
  const answer = (request) => {
    if (request.op === 'sample') {
      const always = request.settle === 'always';
      if (always) settlesAlways = true;
      const asked = request.settle === true || always;
      return takeWindow(collections, loop, workers, asked ? settle : null, always, settlesAlways).then((figures) => ({ figures }));
    }
    if (request.op === 'snapshot') return writeSnapshot(request.path);
    return { error: `unknown probe request '${request.op}'` };
  };
  serve(path, answer, () => {
    collections.stop();
    loop.stop();
    workers.stop();
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
  const fresh = () => ({ count: 0, pauseMs: 0, fullGcLow: Infinity, forcedLow: Infinity, anyGcLow: Infinity });
  let window = fresh();
  // The RSS after the target's latest full collection since the last settled reading (the lowest while V8 gives
  // its pages back, see lowestRssAfterCollection), null if none.
  let rssAfterOwnFull = null;
  let watchingOwnFull = null;
  const observer = new PerformanceObserver((list) => {
    let full = false;
    let own = false;
    for (const entry of list.getEntries()) {
      // The probe's own collections are the harness's cost, not the target's GC load.
      if ((entry.detail?.flags ?? 0) & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) continue;
      own = true;
      window.count++;
      window.pauseMs += entry.duration;
      if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) full = true;
    }
    // Entries arrive batched after the collections, when the event loop comes round: the heap read here is what
    // they left plus whatever was allocated since. While V8's GC profiler runs it gives the heap each one left,
    // lower, and the window takes the lower of the two (see gcProfiler).
    if (own) {
      const used = v8.getHeapStatistics().used_heap_size;
      window.anyGcLow = Math.min(window.anyGcLow, used);
      if (full) window.fullGcLow = Math.min(window.fullGcLow, used);
    }
    if (full) {
      rssAfterOwnFull = process.memoryUsage.rss();
      watchingOwnFull?.stop();
      watchingOwnFull = watchRssRelease((rss) => {
        if (rssAfterOwnFull !== null) rssAfterOwnFull = Math.min(rssAfterOwnFull, rss);
      });
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const profiler = gcProfiler();
  return {
    /** Runs V8's GC profiler from now on, or stops it (see gcProfiler); the readings it has kept still count. */
    profile: (on) => profiler?.run(on),
    /** A heap left by a full collection the probe forced. */
    fullCollection(used) {
      window.fullGcLow = Math.min(window.fullGcLow, used);
      window.forcedLow = Math.min(window.forcedLow, used);
      rssAfterOwnFull = null;
    },
    /** The RSS the target's own full collection left since the last settled reading (then forgotten), or null. */
    takeOwnFull() {
      const rss = rssAfterOwnFull;
      rssAfterOwnFull = null;
      return rss;
    },
    /** This window's figures; a new window begins. */
    take() {
      const taken = window;
      window = fresh();
      for (const { gcType, afterGC } of profiler?.take() ?? []) {
        if (!COLLECTIONS.has(gcType)) continue;
        const used = afterGC.heapStatistics.usedHeapSize;
        taken.anyGcLow = Math.min(taken.anyGcLow, used);
        if (gcType === 'MarkSweepCompact') taken.fullGcLow = Math.min(taken.fullGcLow, used);
      }
      return taken;
    },
    stop: () => {
      profiler?.stop();
      observer.disconnect();
      watchingOwnFull?.stop();
    },
  };
}

// FLOATING_GARBAGE: what V8's own full collection leaves is not the floor a forced one finds. It marks while the
// target runs, so objects that died meanwhile, and all it allocated, survive it: OpenClaw's own full collections
// left 12-57 MiB more than the forced ones beside them, read by V8's GC profiler at their end (BENCHMARKS.md). A
// target whose own collections are its only readings has them as its floor, high as they are; a scenario that
// settles always has a forced collection at every settled reading, and its floor is theirs alone.
/** V8's GC profiler's kinds that collect (its others are steps of incremental marking and weak callbacks). */
const COLLECTIONS = new Set(['Scavenge', 'MinorMarkSweep', 'MarkSweepCompact']);

// GC_PROFILER_COST: V8's GC profiler builds heap statistics before and after every collection, scavenges included,
// and a server driven flat out collects its young generation 60-150 times a second: it cost the tiny server 3.8-4.3%
// of its throughput, 0.3-0.6% without it (bench:probe, BENCHMARKS.md). So it runs only where its reading is used and
// its cost is CPU the target has to spare: not while the target is saturated (its own full collections are then
// read when the event loop comes round, as where Node has no profiler), and not for a harness that settles always
// (its floor is the forced collections' alone).
/**
 * V8's GC profiler (Node 18.15 on), while it runs: the heap each collection left, read by V8 at its end, not when the
 * target's event loop next comes round to the observer, with whatever it allocated since
 * (test/serial/probe-figures.test.ts). Null where Node has none. Stopped until the first `run(true)`.
 */
function gcProfiler() {
  if (typeof v8.GCProfiler !== 'function') return null;
  let profiler = null;
  let kept = [];
  const start = () => {
    profiler = new v8.GCProfiler();
    profiler.start();
  };
  const stop = () => {
    kept.push(...(profiler?.stop()?.statistics ?? []));
    profiler = null;
  };
  return {
    run(on) {
      if (on && !profiler) start();
      else if (!on && profiler) stop();
    },
    /** The collections since the last take, by V8's statistics. */
    take() {
      if (profiler) {
        stop();
        start();
      }
      const taken = kept;
      kept = [];
      return taken;
    },
    stop,
  };
}

// After a full collection V8 gives the pages it freed back to the OS from a background thread: RSS read at once
// still counts them, by an amount that varies with the heap and with how soon that thread runs. A plain Node
// process that had built four million small objects read 364 MB right after gc(), 196 MB 32 ms later and 95 MB from
// 53 ms on (a million: 159, then 87 MB from 26 ms; on 2 cores with a test suite beside it). So a settled RSS is the
// lowest reading over RELEASE_WATCH_MS after the collection, read every RELEASE_POLL_MS; the target's new
// allocations meanwhile only raise it.
const RELEASE_WATCH_MS = 250;
const RELEASE_POLL_MS = 25;

/** Calls `onReading` with the RSS every RELEASE_POLL_MS for RELEASE_WATCH_MS; never keeps the target alive. */
function watchRssRelease(onReading, onDone = () => {}) {
  const until = performance.now() + RELEASE_WATCH_MS;
  let timer = null;
  const tick = () => {
    onReading(process.memoryUsage.rss());
    if (performance.now() >= until) return onDone();
    timer = setTimeout(tick, RELEASE_POLL_MS);
    timer.unref();
  };
  timer = setTimeout(tick, RELEASE_POLL_MS);
  timer.unref();
  return {
    stop() {
      clearTimeout(timer);
      onDone();
    },
  };
}

/** The lowest RSS from now until V8 has given back what the collection just freed. */
function lowestRssAfterCollection() {
  let low = process.memoryUsage.rss();
  return new Promise((resolve) => {
    watchRssRelease((rss) => (low = Math.min(low, rss)), () => resolve(low));
  });
}

// A full collection, forced or the target's own, makes V8 throw away optimised code that embeds objects it frees
// ("weak objects", then "wrong map" deoptimisations of the code that used them, some 45 functions of a plain HTTP
// server at each one), and the target pays for re-warming its hot code (docs/ARCHITECTURE.md, "Settled samples"). A
// target with idle time absorbs that as CPU and slower answers; one whose clients wait for its answers pays it in
// throughput, which is why the default cadence is 30 s. So the probe forces none when the target collected fully on
// its own since the last settled reading (that collection is the reading), and none while the target is saturated:
// its event loop busy, or its main thread running or waiting for a CPU, 75% of the time or more over a few
// seconds at any time in the last 30 (on a CPU shared with other processes a server driven flat out reads 40-88%
// busy by its event loop alone, as it waits for the CPU with its events ready). bench:probe's servers read 77-99%
// driven flat out, 23-48% in a closed loop with think time and 12-21% paced; at 75% a server's clients already queue
// behind each other. A scenario that needs the floor more than the target's throughput asks for a forced collection
// at every settled reading (`settleAlways`: ci-gate, whose leak saturates the naive gateway on a loaded machine, and
// whose baseline was read that way; the OpenClaw example, saturated for most of a run).
const SATURATED_BUSY = 0.75;

/**
 * A settled reading: one full collection, then the heap and the RSS it left (the heap's floor, no garbage). `how`:
 * 'own-or-force' takes the target's own full collection since the last reading if it had one, else forces one;
 * 'own' only takes the target's own (deferred without one); 'force' always forces one, as every reading did before
 * the target's own counted (a gate's baseline is read that way: a forced collection also gives pages back to the OS,
 * which the target's own may not, so its RSS reading is lower and steadier).
 */
function settler(collections) {
  let forceFullGc = null;
  return (how) => {
    // The target collected fully on its own since the last settled reading: its floor is in this window already
    // and forcing another would cost it the re-warming for nothing.
    const rssAfterOwnFull = collections.takeOwnFull();
    if (how !== 'force' && rssAfterOwnFull !== null) return { rssAfterFullGcBytes: rssAfterOwnFull, settlesByTarget: 1 };
    if (how === 'own') return { settleDeferred: 1 };
    forceFullGc ??= fullGcFunction();
    const started = performance.now();
    forceFullGc();
    const settlePauseMs = performance.now() - started;
    collections.fullCollection(v8.getHeapStatistics().used_heap_size);
    return { rssAfterFullGcBytes: lowestRssAfterCollection(), settlePauseMs };
  };
}

/**
 * gc() without the target's --expose-gc: the flag is set at run time and the function taken from a fresh context,
 * so the target's own global scope never sees it. In a worker thread it collects that thread's heap.
 */
function fullGcFunction() {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc');
}

// Worker threads are isolates of their own: their heaps count in the process's RSS but in none of the main thread's
// heap figures, and a collection on the main thread does not reach them (docs/ARCHITECTURE.md, "Worker threads").
// OpenClaw's gateway keeps eleven, holding about 390 MiB of heap between them, and starts 20-25 short-lived ones a
// minute. The main thread counts them by Node's `worker_threads` diagnostics channel (every worker, however
// started); their heaps come from the probe loaded in each one (Node runs NODE_OPTIONS' --import in workers started
// from a file, not in those started from a string), over a BroadcastChannel: asked for its figures, each collects
// fully first at a settled reading and answers with the heap it has. The sums are over every live worker that has
// answered once, each with its latest answer: one busy through a wait keeps its place in the sum rather than
// dropping out of it, and workerHeapsRead says how many answered this time. A worker that ends leaves the sums.
const WORKER_CHANNEL = 'soakgate-probe-workers';
/** How long a sample without a settled reading waits for the workers' answers (a settled one waits RELEASE_WATCH_MS). */
const WORKER_REPLY_MS = 50;

/** Of the live workers, by threadId: the heap each last answered, and the last it answered after a full collection. */
function latestHeaps() {
  const heaps = new Map();
  const floors = new Map();
  const sum = (byThread) => [...byThread.values()].reduce((total, bytes) => total + bytes, 0);
  return {
    record({ threadId, usedBytes, settled }) {
      heaps.set(threadId, usedBytes);
      if (settled) floors.set(threadId, usedBytes);
    },
    forget(threadId) {
      heaps.delete(threadId);
      floors.delete(threadId);
    },
    /** The sums, the floors' only for a settled reading; null before any worker answered. */
    sums(settle) {
      if (heaps.size === 0) return null;
      return { workerHeapBytes: sum(heaps), ...(settle && floors.size > 0 ? { workerHeapFloorBytes: sum(floors) } : {}) };
    },
  };
}

/** The target's live worker threads and, on request, their heaps. */
function watchWorkers() {
  // Thread ids of the live workers.
  const live = new Set();
  let started = 0;
  let everStarted = false;
  const latest = latestHeaps();
  const onStart = ({ worker }) => {
    started++;
    everStarted = true;
    const id = worker.threadId;
    live.add(id);
    worker.once('exit', () => {
      live.delete(id);
      latest.forget(id);
    });
  };
  dc.subscribe('worker_threads', onStart);
  const channel = new BroadcastChannel(WORKER_CHANNEL);
  const waiting = new Map();
  let nextId = 1;
  channel.onmessage = ({ data }) => {
    if (data?.reply === undefined) return;
    // A late answer counts too, from a worker still alive (its exit may come before its last message).
    if (live.has(data.threadId)) latest.record(data);
    waiting.get(data.reply)?.(data);
  };
  channel.unref();
  return {
    /**
     * Asks the workers for their heaps, each collected fully first when `settle` (a floor, as heapFloorBytes is the
     * main thread's). `answers` waits `waitMs` from its call, not from the asking: the main thread reads no answer
     * while it collects itself, and a wait begun before its collection would be over when it could.
     */
    ask(settle) {
      // A target that never started a worker has no such figures, rather than a row of zeros in every report.
      if (!everStarted) return { answers: () => Promise.resolve({}) };
      const figures = { workerThreads: live.size, workersStarted: started };
      started = 0;
      if (live.size === 0) return { answers: () => Promise.resolve(figures) };
      const id = nextId++;
      let read = 0;
      let finish = null;
      waiting.set(id, () => {
        read++;
        if (read >= live.size) finish?.();
      });
      channel.postMessage({ id, settle });
      const summed = () => {
        const sums = latest.sums(settle);
        return sums ? { ...figures, workerHeapsRead: read, ...sums } : figures;
      };
      return {
        answers: (waitMs) =>
          new Promise((resolve) => {
            finish = () => {
              clearTimeout(timer);
              waiting.delete(id);
              resolve(summed());
            };
            const timer = setTimeout(finish, waitMs);
            timer.unref();
            if (read >= live.size) finish();
          }),
      };
    },
    stop() {
      dc.unsubscribe('worker_threads', onStart);
      channel.close();
    },
  };
}

/** In a worker thread: answers the main thread's probe with this thread's heap, collected fully first if asked. */
function answerInWorker() {
  const channel = new BroadcastChannel(WORKER_CHANNEL);
  let forceFullGc = null;
  channel.onmessage = ({ data }) => {
    // The other workers' answers come here too.
    if (!data || data.reply !== undefined) return;
    try {
      if (data.settle) (forceFullGc ??= fullGcFunction())();
      channel.postMessage({ reply: data.id, threadId, settled: Boolean(data.settle), usedBytes: v8.getHeapStatistics().used_heap_size });
    } catch {
      // The probe never throws into the target.
    }
  };
  // Never keeps the worker alive.
  channel.unref();
}

// The histogram records the time between its timer's ticks, so the delay is what exceeds the resolution.
const RESOLUTION_MS = 20;

// How long a spell of saturation the probe remembers: a short lull in a saturated spell does not make it settle the
// target (it would, at the first sample whose window dipped under 75%).
const SATURATION_MEMORY_S = 5;
// How long a target that read saturated stays treated as saturated. A server driven flat out dips under 75% now and
// then for longer than the average above remembers, and one forced collection in such a dip cost the gateway 5% of
// its throughput for the minutes its code took to re-warm (bench:probe, BENCHMARKS.md). Only a target calm for a
// whole default settle interval is forced again.
const SATURATION_HOLD_MS = 30_000;
const MIN_DEMAND_WINDOW_NS = 100e6;

/** How busy the target was in the current window, how late its timers ran, and whether it is saturated. */
function watchEventLoop() {
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  let last = performance.eventLoopUtilization();
  let lastDemand = mainThreadDemandNs();
  // Busy share (the higher of the event loop's and the main thread's) averaged over about SATURATION_MEMORY_S.
  let recentBusy = null;
  let lastSaturatedMs = null;
  let pastStartUp = false;
  // The probe's own forced collections in the current window: its cost, not the target's load.
  let probeBusyMs = 0;
  return {
    take() {
      const loop = performance.eventLoopUtilization(last);
      last = performance.eventLoopUtilization();
      const figures = { eventLoopUtilization: loop.utilization };
      // The kernel adds to a running thread's time at its clock ticks: a window of a few ticks is read over a longer one.
      const demand = mainThreadDemandNs();
      if (demand && lastDemand && demand.atNs - lastDemand.atNs >= MIN_DEMAND_WINDOW_NS) {
        const share = (demand.onCpuOrWaitingNs - lastDemand.onCpuOrWaitingNs) / (demand.atNs - lastDemand.atNs);
        figures.mainThreadDemand = Math.min(1, share);
        lastDemand = demand;
      } else if (!lastDemand) lastDemand = demand;
      const windowMs = loop.idle + loop.active;
      const busy = Math.max(0, Math.max(loop.utilization, figures.mainThreadDemand ?? 0) - (windowMs > 0 ? probeBusyMs / windowMs : 0));
      probeBusyMs = 0;
      const windowS = windowMs / 1000;
      const weight = 1 - Math.exp(-windowS / SATURATION_MEMORY_S);
      // The first window holds the target's start-up (loading its code), which says nothing about its load: the
      // probe judges from the next one on and forces nothing before.
      if (pastStartUp) {
        recentBusy = recentBusy === null ? busy : recentBusy + (busy - recentBusy) * weight;
        if (recentBusy >= SATURATED_BUSY) lastSaturatedMs = performance.now();
      }
      pastStartUp = true;
      if (delay.count > 0) {
        figures.eventLoopDelayP50Ms = Math.max(0, delay.percentile(50) / 1e6 - RESOLUTION_MS);
        figures.eventLoopDelayP99Ms = Math.max(0, delay.percentile(99) / 1e6 - RESOLUTION_MS);
      }
      delay.reset();
      return figures;
    },
    /** A forced collection's pause, left out of how busy the target is. */
    probeWorked: (ms) => {
      probeBusyMs += ms;
    },
    /**
     * Whether the target has been saturated in the last SATURATION_HOLD_MS, or is not judged yet (its start-up
     * window only); read after `take`.
     */
    saturated: () => recentBusy === null || (lastSaturatedMs !== null && performance.now() - lastSaturatedMs < SATURATION_HOLD_MS),
    stop: () => delay.disable(),
  };
}

/**
 * The main thread's nanoseconds on a CPU or waiting in a run queue for one (Linux schedstat), with the time read.
 * On a CPU shared with other processes a saturated server's event loop looks idle while it waits for the CPU
 * (epoll has its events, the thread is not running): this counts that wait as busy. Null where unreadable.
 */
function mainThreadDemandNs() {
  try {
    const [onCpu, waiting] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
    return { onCpuOrWaitingNs: onCpu + waiting, atNs: Number(process.hrtime.bigint()) };
  } catch {
    return null;
  }
}

/**
 * One sample's figures, settled when `settle` is given: by the target's own full collection or a forced one, none
 * while the target is saturated; with `always`, by a forced one whatever the target does. The heap's figures are
 * read at once; a forced collection's RSS once V8 has given its pages back, so the reply comes RELEASE_WATCH_MS
 * later. The worker threads' figures join them (watchWorkers). With `forcedFloorOnly`, the heap floor is the forced
 * collection's, none in a window without one.
 */
async function takeWindow(collections, loop, workers, settle, always, forcedFloorOnly) {
  const busy = loop.take();
  const saturated = loop.saturated();
  const how = settle ? (always ? 'force' : saturated ? 'own' : 'own-or-force') : null;
  // Asked first, so the workers collect while the main thread does; not while the target is saturated.
  const settlesWorkers = how === 'force' || how === 'own-or-force';
  const asked = workers.ask(settlesWorkers);
  const settled = how ? settle(how) : null;
  const workerFigures = asked.answers(settlesWorkers ? RELEASE_WATCH_MS : WORKER_REPLY_MS);
  if (settled?.settlePauseMs) loop.probeWorked(settled.settlePauseMs);
  const heap = v8.getHeapStatistics();
  const gc = collections.take();
  // For the next window (GC_PROFILER_COST).
  collections.profile(!forcedFloorOnly && !saturated);
  const figures = {
    heapUsedBytes: heap.used_heap_size,
    heapTotalBytes: heap.total_heap_size,
    // The heap's pages in memory: RSS's share of it (total_heap_size also counts pages reserved, not yet touched).
    heapPhysicalBytes: heap.total_physical_size,
    externalBytes: process.memoryUsage().external,
    ...youngGeneration(),
    ...settled,
    ...busy,
    gcCount: gc.count,
    gcPauseMs: gc.pauseMs,
  };
  const floor = forcedFloorOnly ? gc.forcedLow : gc.fullGcLow;
  if (floor !== Infinity) figures.heapFloorBytes = floor;
  if (gc.anyGcLow !== Infinity) figures.heapAfterGcBytes = Math.min(gc.anyGcLow, gc.fullGcLow);
  if (figures.rssAfterFullGcBytes instanceof Promise) figures.rssAfterFullGcBytes = await figures.rssAfterFullGcBytes;
  return { ...figures, ...(await workerFigures) };
}

/**
 * The capacity of V8's young generation (both semi-spaces). V8 grows it on its own time, to a fixed limit, as
 * objects survive its scavenges: a one-time RSS rise with nothing leaking (docs/ARCHITECTURE.md, "Warm-up"), which
 * the report can then tell from growth.
 */
function youngGeneration() {
  const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  return space ? { youngGenerationBytes: space.space_size } : {};
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
      let id = null;
      const failed = (err) => ({ error: String(err && err.message ? err.message : err) });
      // A reply may come later than the request's turn (a settled reading waits for V8 to give pages back).
      new Promise((resolve) => {
        const request = JSON.parse(line);
        id = request.id;
        resolve(answer(request));
      })
        .catch(failed)
        .then((reply) => socket.write(JSON.stringify({ id, ...reply }) + '\n'))
        .catch(() => {});
    }
  });
}

// Last, once the constants above are set.
const socketPath = process.env.SOAKGATE_PROBE_SOCKET;
if (!isMainThread) answerInWorker();
else if (socketPath) startProbe(socketPath);
