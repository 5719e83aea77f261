// Reading one number out of Prometheus text exposition: the sum of a metric's samples whose labels match.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sumExposition } from '../harness/state/promText.ts';

const PAGE = `# HELP http_requests_total Requests served.
# TYPE http_requests_total counter
http_requests_total{method="GET",code="200"} 1027 1395066363000
http_requests_total{method="POST",code="200"} 3
http_requests_total{method="GET",code="500"} 2
http_requests_total_created{method="GET",code="200"} 1.7e9
sessions_active 12
sessions_active_peak 40
note{text="a \\"quoted\\" value, with {braces}\\nand a newline"} 5
latency_seconds_bucket{le="+Inf"} 1.5e+3
weird NaN
`;

describe('sumExposition', () => {
  it('sums every sample of the name when no labels are given', () => {
    assert.deepEqual(sumExposition(PAGE, 'http_requests_total'), { value: 1032 });
  });
  it('sums only the samples whose labels include the given ones', () => {
    assert.deepEqual(sumExposition(PAGE, 'http_requests_total', { code: '200' }), { value: 1030 });
    assert.deepEqual(sumExposition(PAGE, 'http_requests_total', { code: '200', method: 'POST' }), { value: 3 });
  });
  it('matches the whole name, not a prefix of a longer one', () => {
    assert.deepEqual(sumExposition(PAGE, 'sessions_active'), { value: 12 });
  });
  it('reads escaped label values and exponents', () => {
    assert.deepEqual(sumExposition(PAGE, 'note', { text: 'a "quoted" value, with {braces}\nand a newline' }), { value: 5 });
    assert.deepEqual(sumExposition(PAGE, 'latency_seconds_bucket', { le: '+Inf' }), { value: 1500 });
  });
  it('misses a metric with no sample, naming ones that look alike', () => {
    const reading = sumExposition(PAGE, 'http_requests');
    assert.ok('missed' in reading);
    assert.match(reading.missed, /no sample named http_requests \(there are http_requests_total, http_requests_total_created\)/);
  });
  it('misses when no sample has the labels, saying how many there were', () => {
    const reading = sumExposition(PAGE, 'http_requests_total', { code: '404' });
    assert.ok('missed' in reading);
    assert.match(reading.missed, /none of the 3 samples of http_requests_total has the labels \{code="404"\}/);
  });
  it('misses a sum that is not a number', () => {
    assert.deepEqual(sumExposition(PAGE, 'weird'), { missed: 'weird sums to NaN' });
  });
});
