import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { grewSteadily, MIN_OBJECTS } from '../harness/heap/shapeGrowth.ts';

describe("memlab's growth rule with a lower floor", () => {
  it('takes a shape whose count never fell and rose', () => {
    assert.ok(grewSteadily([150, 300, 450], MIN_OBJECTS));
    assert.ok(grewSteadily([150, 150, 450], MIN_OBJECTS));
  });

  it('leaves out a shape whose count fell once, stayed flat, or ended under the floor', () => {
    assert.ok(!grewSteadily([150, 120, 450], MIN_OBJECTS));
    assert.ok(!grewSteadily([300, 300, 300], MIN_OBJECTS));
    assert.ok(!grewSteadily([1, 2, MIN_OBJECTS - 1], MIN_OBJECTS));
  });

  it('needs the shape in two snapshots or more, as memlab does', () => {
    assert.ok(!grewSteadily([undefined, undefined, 500], MIN_OBJECTS));
    assert.ok(grewSteadily([undefined, 100, 500], MIN_OBJECTS));
  });
});
