// The dashboard's pure series helpers: smoothing, min-max decimation, step alignment, durations.
import * as assert from 'node:assert/strict';
import { alignByStep, decimateMinMax, formatDuration, smoothEma } from '../../../webview/dashboard/series';

const close = (actual: (number | null)[], expected: (number | null)[]) => {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => {
    const e = expected[i];
    if (e === null) assert.equal(a, null, `index ${i}`);
    else assert.ok(a !== null && Math.abs(a - e) < 1e-12, `index ${i}: ${a} vs ${e}`);
  });
};

describe('dashboard series: smoothEma', () => {
  const cases: { name: string; values: (number | null)[]; weight: number; expected: (number | null)[] }[] = [
    { name: 'weight 0 is the identity', values: [3, 1, 2], weight: 0, expected: [3, 1, 2] },
    { name: 'bias correction makes the first point exact', values: [4], weight: 0.9, expected: [4] },
    // s1 = 0.5·4 = 2 → 2/(1-0.5) = 4; s2 = 0.5·2 + 0.5·2 = 2 → 2/(1-0.25) = 8/3
    { name: 'two points, weight 0.5', values: [4, 2], weight: 0.5, expected: [4, 8 / 3] },
    { name: 'a constant stays constant', values: [2, 2, 2, 2], weight: 0.95, expected: [2, 2, 2, 2] },
    { name: 'NaN gaps pass as null and do not move the average', values: [4, NaN, 2], weight: 0.5, expected: [4, null, 8 / 3] },
  ];
  for (const c of cases) it(c.name, () => close(smoothEma(c.values, c.weight), c.expected));
});

describe('dashboard series: decimateMinMax', () => {
  it('keeps short series whole', () => {
    assert.deepEqual(decimateMinMax([5, 4, 3], 10), [0, 1, 2]);
  });
  it('keeps the first, last, each bucket extreme, and marked points, ascending', () => {
    const values = Array.from({ length: 10000 }, (_, i) => Math.sin(i / 50));
    values[4321] = 100;    // a spike striding would miss
    values[7777] = -100;
    const idx = decimateMinMax(values, 50, (i) => i === 1234);
    assert.ok(idx.length <= 2 * 50 + 2 + 1, `at most 2 per bucket + ends + kept, got ${idx.length}`);
    for (const must of [0, 9999, 4321, 7777, 1234]) assert.ok(idx.includes(must), `index ${must} kept`);
    assert.deepEqual(idx, [...idx].sort((a, b) => a - b));
    const shown = idx.map((i) => values[i]);
    assert.equal(Math.max(...shown), 100);
    assert.equal(Math.min(...shown), -100);
  });
});

describe('dashboard series: alignByStep', () => {
  it('puts runs with different steps on one x axis with gaps as null', () => {
    const aligned = alignByStep([
      { steps: [0, 10, 20], values: [3, 2, 1] },
      { steps: [5, 10], values: [9, 8] },
    ]);
    assert.deepEqual(aligned.steps, [0, 5, 10, 20]);
    assert.deepEqual(aligned.columns, [[3, null, 2, 1], [null, 9, 8, null]]);
  });
});

describe('dashboard series: formatDuration', () => {
  const cases: [number, string][] = [[0, '0s'], [12.4, '12s'], [185, '3m 05s'], [3720, '1h 02m'], [-1, '–'], [Infinity, '–']];
  for (const [seconds, text] of cases) it(`${seconds} s → ${text}`, () => assert.equal(formatDuration(seconds), text));
});
