import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isEngineBucket, rankGrowth, type GrowthCandidate } from '../harness/heap/growthRank.ts';

function shape(name: string, retainedGrowth: number, wrapsOneChild = false, countGrowth = 100): GrowthCandidate {
  return { name, countFirst: 10, countLast: 10 + countGrowth, retainedFirst: 1000, retainedLast: 1000 + retainedGrowth, wrapsOneChild };
}

describe('growth ranking', () => {
  it('puts the shape that holds the growth before the entry that wraps it', () => {
    const entry = shape('Object { key, sessionId, skillsSnapshot }', 38_000_000, true);
    const snapshot = shape('Object { prompt, resolvedSkills, skills }', 37_800_000);
    assert.deepEqual(rankGrowth([entry, snapshot]).map((s) => s.name), [snapshot.name, entry.name]);
  });

  it('puts engine-wide buckets after named shapes even when they grew more', () => {
    const strings = shape('string', 50_000_000);
    const arrays = shape('Array', 45_000_000);
    const skill = shape('Object { body, description, name }', 30_000_000);
    assert.deepEqual(rankGrowth([strings, arrays, skill]).map((s) => s.name), [skill.name, strings.name, arrays.name]);
  });

  it('orders by retained growth, then by count growth', () => {
    const small = shape('Object { a }', 1_000);
    const big = shape('Object { b }', 9_000);
    const manyMore = shape('Object { c }', 1_000, false, 5_000);
    assert.deepEqual(rankGrowth([small, big, manyMore]).map((s) => s.name), ['Object { b }', 'Object { c }', 'Object { a }']);
  });

  it('knows engine buckets by name', () => {
    for (const name of ['string', 'Array', '(object properties)', 'system / Context']) assert.ok(isEngineBucket(name), name);
    for (const name of ['Map', 'Object { prompt }', 'SessionEntry']) assert.ok(!isEngineBucket(name), name);
  });
});
