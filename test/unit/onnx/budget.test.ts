// The import budget: a small file that unfolds into gigabytes is refused from its dims, before any
// allocation, with the node, its op and the sizes; a model within the budget imports as before.
import * as assert from 'node:assert/strict';
import { ImportBudget, MAX_TENSOR_ELEMENTS } from '../../../src/onnx/budget';
import { exportModel } from '../../../src/onnx/export';
import { importModel } from '../../../src/onnx/import';
import { recogniseGraph } from '../../../src/onnx/importGraph';
import { decodeModel } from '../../../src/onnx/modelProto';
import { concatAmplification, doublingChain, hugeClaimedInitializer } from './hostileModels';
import { randomModel, spec } from './helpers';

const lstm = spec({ cell: 'lstm', layers: 2 });
const exported = exportModel(lstm, randomModel(lstm, 3).params as Float32Array, {});

describe('onnx import budget', () => {
  const cases: [string, () => Uint8Array, RegExp][] = [
    ['one initializer concatenated 20,000 times (~100 KB)', () => concatAmplification(),
      /m\.onnx: node "amplify" \(Concat\): folding constants: the result has 204,800,000 elements \(dims \[204800000\]\), over the import limit of 67,108,864 elements per tensor$/],
    ['a chain of doubling Concats', () => doublingChain(),
      /node "double1\d" \(Concat\): folding constants: the result \([\d,]+ MB, dims \[\d+\]\) would bring the model's tensors to [\d,]+ MB, over the import limit of 64 MB for a file of [\d,]+ bytes \(8 × its size, at least 64 MB, at most 512 MB\)$/],
    ['an initializer claiming 2^40 elements', () => hugeClaimedInitializer(),
      /m\.onnx: initializer "w" has 1,099,511,627,776 elements \(dims \[1048576,1048576\]\), over the import limit/],
    ['an initializer claiming 4M elements and holding none (checked before allocating)', () => hugeClaimedInitializer([4, 1 << 20]),
      /m\.onnx: initializer "w": tensor has 0 values, expected 4194304 for dims \[4,1048576\]$/],
    ['negative dims', () => hugeClaimedInitializer([4, -2]), /m\.onnx: initializer "w": dimension -2 in \[4,-2\] \(expected whole numbers ≥ 0\)$/],
  ];
  for (const [what, bytes, message] of cases) {
    it(`refuses ${what}`, () => {
      const file = bytes();
      if (what.includes('20,000')) assert.ok(file.length < 120_000, `the file is ${file.length} bytes`);
      assert.throws(() => importModel(file, 'm.onnx'), message);
    });
  }

  it('counts every tensor against the total: a budget of exactly what a model takes is enough, a byte less is not', () => {
    const graph = () => decodeModel(exported).graph!;
    const measured = new ImportBudget();
    recogniseGraph(graph(), measured);
    assert.ok(measured.bytes > 0 && measured.bytes < 64 * 1024, `${measured.bytes} bytes charged`);
    assert.doesNotThrow(() => recogniseGraph(graph(), new ImportBudget(MAX_TENSOR_ELEMENTS, measured.bytes)));
    assert.throws(() => recogniseGraph(graph(), new ImportBudget(MAX_TENSOR_ELEMENTS, measured.bytes - 1)),
      new RegExp(`(initializer|node) ".+" .*would bring the model's tensors to ${measured.bytes.toLocaleString('en-US')} bytes, over the import limit of ${(measured.bytes - 1).toLocaleString('en-US')} bytes$`));
  });
});
