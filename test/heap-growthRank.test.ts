import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isEngineBucket, rankGrowth, steadyGrowth, type GrowthCandidate } from '../harness/heap/growthRank.ts';

const KB = 1024;

/** A shape that went from `countFirst` to `countLast` objects of `bytesEach` each. */
function shape(name: string, countFirst: number, countLast: number, bytesEach: number, holds: string[] = []): GrowthCandidate {
  return { name, countFirst, countLast, retainedFirst: countFirst * bytesEach, retainedLast: countLast * bytesEach, holds };
}

const names = (ranked: GrowthCandidate[]) => ranked.map((c) => c.name);

describe('growth ranking', () => {
  it('puts the shape that holds the growth before the session entry that wraps it', () => {
    const snapshot = shape('Object { prompt, resolvedSkills, skills }', 200, 400, 48 * KB);
    const entry = shape('Object { key, sessionId, skillsSnapshot }', 200, 400, 48.4 * KB, [snapshot.name, 'string']);
    assert.deepEqual(names(rankGrowth([entry, snapshot])), [snapshot.name, entry.name]);
  });

  it('does not call a shape a wrapper for holding an engine bucket or a much bigger grower', () => {
    const strings = shape('string', 60_000, 90_000, 400);
    const skill = shape('Object { description, name }', 4_000, 8_000, 1 * KB, ['string']);
    const big = shape('Object { prompt, resolvedSkills, skills }', 200, 400, 48 * KB);
    const holder = shape('Object { current }', 1_000, 3_000, 100, [big.name]);
    assert.deepEqual(names(rankGrowth([strings, skill, holder, big])), [big.name, skill.name, holder.name, strings.name]);
  });

  it('puts engine-wide buckets after named shapes even when they grew more', () => {
    const strings = shape('string', 60_000, 200_000, 250);
    const arrays = shape('Array', 10_000, 50_000, 1 * KB);
    const skill = shape('Object { body, description, name }', 1_000, 3_000, 2 * KB);
    assert.deepEqual(names(rankGrowth([strings, arrays, skill])), [skill.name, arrays.name, strings.name]);
  });

  it('ranks one object that got big by the growth its count explains', () => {
    // 22 more generators, one of them holding a 17 MB string being written
    const generator: GrowthCandidate = { ...shape('Generator', 81, 103, 2.6 * KB), retainedLast: 17 * KB * KB };
    assert.equal(Math.round(steadyGrowth(generator)), Math.round(22 * 2.6 * KB));
    const snapshot = shape('Object { prompt, resolvedSkills, skills }', 200, 400, 48 * KB);
    assert.deepEqual(names(rankGrowth([generator, snapshot])), [snapshot.name, 'Generator']);
  });

  it('lists negligible growth last', () => {
    const tiny = shape('ArrayBuffer', 59, 61, 3 * KB);
    const countOnly: GrowthCandidate = { ...shape('Map', 100, 120, 4 * KB), retainedLast: 400 * KB };
    const arrays = shape('Array', 10_000, 20_000, 600);
    const snapshot = shape('Object { prompt }', 200, 400, 48 * KB);
    assert.deepEqual(names(rankGrowth([countOnly, tiny, arrays, snapshot])), ['Object { prompt }', 'Array', 'ArrayBuffer', 'Map']);
  });

  it('knows engine buckets by name', () => {
    for (const name of ['string', 'Array', '(object properties)', 'system / Context']) assert.ok(isEngineBucket(name), name);
    for (const name of ['Map', 'Object { prompt }', 'SessionEntry']) assert.ok(!isEngineBucket(name), name);
  });

  it('ranks a growing queue of pending promises after the data shape that grew (the naive store under load)', () => {
    const promises = shape('Promise', 476, 2_140, 16 * KB);
    const snapshot = shape('Object { prompt, resolvedSkills, skills }', 209, 415, 48 * KB);
    assert.deepEqual(names(rankGrowth([promises, snapshot])), [snapshot.name, 'Promise']);
    assert.ok(isEngineBucket('Promise') && isEngineBucket('Generator'));
  });
});
