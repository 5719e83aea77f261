// The pure parts of the load: when each operation is due (steady or in bursts), and the op counter's windows,
// whose latency percentiles come from a fixed-size histogram rather than every sample.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OpCounter } from '../harness/sampling/opCounter.ts';
import { scheduleFor } from '../harness/storms/schedule.ts';

describe('scheduleFor', () => {
  it('spreads a steady rate evenly', () => {
    const schedule = scheduleFor(4);
    assert.deepEqual([0, 1, 2, 3, 4, 8].map((k) => schedule.timeOf(k)), [0, 0.25, 0.5, 0.75, 1, 2]);
  });
  it('never schedules anything at rate 0', () => {
    assert.equal(scheduleFor(0).timeOf(0), Infinity);
    assert.equal(scheduleFor(0, 10).timeOf(0), Infinity);
  });
  it("puts each period's share at the period's start in burst mode", () => {
    const schedule = scheduleFor(2, 10);
    assert.deepEqual([0, 19, 20, 39, 40].map((k) => schedule.timeOf(k)), [0, 0, 10, 10, 20]);
  });
  it('keeps the average rate when a burst holds a fraction of an operation', () => {
    const half = scheduleFor(0.05, 10); // half an operation per 10 s burst: one every 20 s
    assert.deepEqual([0, 1, 2].map((k) => half.timeOf(k)), [0, 20, 40]);
    const twoAndHalf = scheduleFor(0.25, 10); // 2.5 per burst: 3, 2, 3, 2...
    assert.deepEqual([0, 1, 2, 3, 4, 5].map((k) => twoAndHalf.timeOf(k)), [0, 0, 0, 10, 10, 20]);
  });
});

describe('OpCounter', () => {
  it('counts operations by kind and every request, failures as errors', () => {
    const counter = new OpCounter();
    counter.add('subagents');
    counter.add('subagents');
    counter.add('cronRuns', 3);
    counter.recordRequest(5, true);
    counter.recordRequest(null, false);
    assert.deepEqual(counter.totals(), { subagents: 2, cronRuns: 3, requests: 2, errors: 1 });
  });
  it('gives latency percentiles within about 1% of the exact ones, and the exact maximum', () => {
    const counter = new OpCounter();
    const latencies: number[] = [];
    let state = 12345;
    for (let i = 0; i < 20_000; i++) {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      // A long-tailed spread from 0.1 ms to about 2 s, like request latencies under load.
      const ms = 0.1 * Math.exp((state / 2 ** 31) * 10);
      latencies.push(ms);
      counter.recordRequest(ms, true);
    }
    latencies.sort((a, b) => a - b);
    const exact = (q: number) => latencies[Math.ceil(q * latencies.length) - 1];
    const window = counter.takeWindow();
    assert.equal(window.requests, 20_000);
    assert.equal(window.errors, 0);
    assert.ok(Math.abs((window.latencyP50Ms as number) / exact(0.5) - 1) < 0.015, `p50 ${window.latencyP50Ms} vs ${exact(0.5)}`);
    assert.ok(Math.abs((window.latencyP99Ms as number) / exact(0.99) - 1) < 0.015, `p99 ${window.latencyP99Ms} vs ${exact(0.99)}`);
    assert.equal(window.latencyMaxMs, Math.round(latencies[latencies.length - 1] * 1000) / 1000);
  });
  it('starts a new window on each take, with null latencies when nothing finished', () => {
    const counter = new OpCounter();
    counter.recordRequest(100, false);
    assert.deepEqual(counter.takeWindow(), { requests: 1, errors: 1, latencyP50Ms: 100, latencyP99Ms: 100, latencyMaxMs: 100 });
    assert.deepEqual(counter.takeWindow(), { requests: 0, errors: 0, latencyP50Ms: null, latencyP99Ms: null, latencyMaxMs: null });
    assert.equal(counter.totals().requests, 1);
  });
  it('a failed request without a response adds no latency', () => {
    const counter = new OpCounter();
    counter.recordRequest(null, false);
    assert.deepEqual(counter.takeWindow(), { requests: 1, errors: 1, latencyP50Ms: null, latencyP99Ms: null, latencyMaxMs: null });
  });
  it('keeps no per-request memory: a million requests in one window cost no more heap than a few', () => {
    const counter = new OpCounter();
    counter.recordRequest(1, true);
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 1_000_000; i++) counter.recordRequest((i % 5000) / 10, i % 100 !== 0);
    const grown = process.memoryUsage().heapUsed - before;
    // Keeping every latency would take at least 8 MB (a double each).
    assert.ok(grown < 2_000_000, `heap grew ${grown} bytes`);
    assert.equal(counter.takeWindow().requests, 1_000_001);
  });
});
