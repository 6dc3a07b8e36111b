// Gradient chart ticks (issue 17, item 5): small values keep their size instead of reading "0".
import * as assert from 'node:assert/strict';
import { exponentLabel, tickLabels } from '../../../webview/dashboard/ticks';

describe('dashboard/ticks', () => {
  const cases: [string, number[], string[]][] = [
    ['linear ticks of a small gradient (uPlot\'s default read 0 0 0 0)', [0, 0.0001, 0.0002, 0.0003], ['0', '1e-4', '2e-4', '3e-4']],
    ['log decades far below 1', [1e-26, 1e-20, 1e-14, 1e-8, 1e-2], ['1e-26', '1e-20', '1e-14', '1e-8', '1e-2']],
    ['half steps need a second digit', [0.00005, 0.0001, 0.00015], ['5e-5', '1e-4', '1.5e-4']],
    ['ordinary values stay plain', [0, 0.5, 1, 1.5, 2], ['0', '0.5', '1', '1.5', '2']],
    ['losses near 1', [1.2, 1.25, 1.3], ['1.2', '1.25', '1.3']],
    ['large counts switch to exponents', [0, 500000, 1000000], ['0', '5e5', '1e6']],
    ['negative small values', [-0.0002, 0, 0.0002], ['-2e-4', '0', '2e-4']],
    ['a non-finite tick is left blank', [NaN, 0.001, 0.002], ['', '0.001', '0.002']],
  ];
  for (const [name, splits, expected] of cases) {
    it(name, () => assert.deepEqual(tickLabels(splits), expected));
  }

  it('never gives two different ticks the same label', () => {
    for (const step of [1e-7, 3e-5, 0.004, 0.25, 7, 2500]) {
      const splits = Array.from({ length: 8 }, (_, i) => i * step);
      const labels = tickLabels(splits);
      assert.equal(new Set(labels).size, splits.length, `step ${step}: ${labels.join(' ')}`);
      assert.ok(labels.slice(1).every((l) => l !== '0'), `step ${step}: ${labels.join(' ')}`);
    }
  });

  it('exponentLabel drops the mantissa\'s trailing zeros and the exponent\'s plus sign', () => {
    assert.equal(exponentLabel(2.5e-4, 3), '2.5e-4');
    assert.equal(exponentLabel(3e6, 2), '3e6');
    assert.equal(exponentLabel(0, 2), '0');
  });
});
