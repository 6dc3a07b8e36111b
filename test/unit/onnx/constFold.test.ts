// Constant folding of shape and weight-shuffling ops, each case checked against values worked out by hand.
import * as assert from 'node:assert/strict';
import { foldConstant } from '../../../src/onnx/constFold';
import type { TensorValue } from '../../../src/onnx/tensorProto';

const f = (dims: number[], values: number[]): TensorValue => ({ type: 'float', dims, data: Float32Array.from(values) });
const i = (dims: number[], values: number[]): TensorValue => ({ type: 'int', dims, data: values });
const range = (n: number) => Array.from({ length: n }, (_, k) => k);
const attrs = (a: Record<string, number | number[]> = {}) => ({
  int: (n: string) => a[n] as number | undefined,
  ints: (n: string) => a[n] as number[] | undefined,
});
const x23 = f([2, 3], range(6));       // [[0,1,2],[3,4,5]]
const x234 = f([2, 3, 4], range(24));

const cases: [string, string, (TensorValue | null)[], Record<string, number | number[]>, number[], number[]][] = [
  // name, op, inputs, attributes, expected dims, expected values
  ['Transpose 2-D (default perm)', 'Transpose', [x23], {}, [3, 2], [0, 3, 1, 4, 2, 5]],
  ['Transpose 3-D [1,0,2]', 'Transpose', [x234], { perm: [1, 0, 2] }, [3, 2, 4],
    [0, 1, 2, 3, 12, 13, 14, 15, 4, 5, 6, 7, 16, 17, 18, 19, 8, 9, 10, 11, 20, 21, 22, 23]],
  ['Slice rows 1: (torch gate block)', 'Slice', [x23, i([1], [1]), i([1], [2]), i([1], [0])], {}, [1, 3], [3, 4, 5]],
  ['Slice to INT64_MAX clamps', 'Slice', [x23, i([1], [1]), i([1], [Number.MAX_SAFE_INTEGER]), i([1], [1])], {}, [2, 2], [1, 2, 4, 5]],
  ['Slice negative step', 'Slice', [x23, i([1], [-1]), i([1], [-4]), i([1], [1]), i([1], [-1])], {}, [2, 3], [2, 1, 0, 5, 4, 3]],
  ['Slice two axes, step 2', 'Slice', [x234, i([2], [0, 1]), i([2], [3, 4]), i([2], [1, 2]), i([2], [2, 2])], {}, [2, 2, 2],
    [1, 3, 9, 11, 13, 15, 21, 23]],
  ['Concat axis 0', 'Concat', [x23, f([1, 3], [6, 7, 8])], { axis: 0 }, [3, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8]],
  ['Concat axis 1', 'Concat', [x23, f([2, 1], [9, 8])], { axis: 1 }, [2, 4], [0, 1, 2, 9, 3, 4, 5, 8]],
  ['Concat of ints (shapes)', 'Concat', [i([1], [1]), i([1], [2]), i([1], [4])], { axis: 0 }, [3], [1, 2, 4]],
  ['Unsqueeze axes input', 'Unsqueeze', [x23, i([1], [0])], {}, [1, 2, 3], range(6)],
  ['Unsqueeze axes attribute, negative', 'Unsqueeze', [x23], { axes: [-1] }, [2, 3, 1], range(6)],
  ['Squeeze given axis', 'Squeeze', [f([1, 3, 1], [1, 2, 3]), i([1], [2])], {}, [1, 3], [1, 2, 3]],
  ['Squeeze all ones', 'Squeeze', [f([1, 3, 1], [1, 2, 3])], {}, [3], [1, 2, 3]],
  ['Reshape with 0 and -1', 'Reshape', [x234, i([2], [0, -1])], {}, [2, 12], range(24)],
  ['Gather axis 0, negative index', 'Gather', [x23, i([], [-1])], { axis: 0 }, [3], [3, 4, 5]],
  ['Gather axis 1, index list', 'Gather', [x23, i([2], [2, 0])], { axis: 1 }, [2, 2], [2, 0, 5, 3]],
  ['Shape', 'Shape', [x234], {}, [3], [2, 3, 4]],
  ['Cast float to int64 truncates', 'Cast', [f([3], [1.7, -1.7, 2])], { to: 7 }, [3], [1, -1, 2]],
];

describe('onnx constant folding', () => {
  for (const [name, op, inputs, a, dims, values] of cases) {
    it(name, () => {
      const out = foldConstant(op, inputs, attrs(a));
      assert.deepEqual(out.dims, dims);
      assert.deepEqual(Array.from(out.data), values);
    });
  }
  const refusals: [string, string, (TensorValue | null)[], Record<string, number | number[]>, RegExp][] = [
    ['an op it does not fold', 'MatMul', [x23, x23], {}, /cannot fold MatMul/],
    ['a reshape that changes the size', 'Reshape', [x23, i([2], [4, 2])], {}, /cannot reshape \[2,3\] to \[4,2\]/],
    ['squeezing an axis larger than 1', 'Squeeze', [x23, i([1], [0])], {}, /cannot squeeze axis 0 of size 2/],
    ['a cast to bool', 'Cast', [x23], { to: 9 }, /Cast to data type 9/],
  ];
  for (const [name, op, inputs, a, message] of refusals) {
    it(`refuses ${name}`, () => assert.throws(() => foldConstant(op, inputs, attrs(a)), message));
  }
});
