// Constant folding for import: the shape and weight-shuffling ops evaluated on constant tensors, so
// a graph exported without constant folding (torch.onnx.export(do_constant_folding=False) slices and
// concatenates PyTorch's gate blocks into ONNX order in the graph) reads like a folded one.
//
// Tensors are row-major with dims (d0, d1, ...); `strides` are in elements. Every result is charged
// to the import's budget from its dims before it is allocated (see budget.ts).
import { ImportBudget } from './budget';
import { type TensorValue } from './tensorProto';

/** Ops folded when every given input is constant. */
export const FOLDABLE_OPS = new Set(['Identity', 'Cast', 'Shape', 'Unsqueeze', 'Squeeze', 'Concat', 'Slice', 'Transpose', 'Reshape', 'Gather']);

export interface FoldAttrs {
  int(name: string): number | undefined;
  ints(name: string): number[] | undefined;
}

const sizeOf = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
const stridesOf = (dims: readonly number[]) => {
  const strides = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) strides[i] = strides[i + 1] * dims[i + 1];
  return strides;
};
const norm = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

/** A tensor of the same type as `like` with new dims, its values picked by source index. */
function pick(like: TensorValue, dims: number[], sourceIndex: (i: number) => number): TensorValue {
  const n = sizeOf(dims);
  if (like.type === 'float') {
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = like.data[sourceIndex(i)];
    return { type: 'float', dims, data };
  }
  return { type: 'int', dims, data: Array.from({ length: n }, (_, i) => like.data[sourceIndex(i)]) };
}

/** Calls visit(outIndex, multiIndex) for every element of dims, in row-major order. */
function forEachIndex(dims: readonly number[], visit: (flat: number, index: number[]) => void): void {
  const n = sizeOf(dims), index = new Array<number>(dims.length).fill(0);
  for (let flat = 0; flat < n; flat++) {
    visit(flat, index);
    for (let d = dims.length - 1; d >= 0; d--) { if (++index[d] < dims[d]) break; index[d] = 0; }
  }
}

const ints = (t: TensorValue, what: string): number[] => {
  if (t.type !== 'int') throw new Error(`expected ${what} as integers, got floats`);
  return t.data;
};

/** Evaluates op on constant inputs (null = an omitted optional input); throws on what it cannot fold or afford. */
export function foldConstant(op: string, inputs: (TensorValue | null)[], attrs: FoldAttrs, budget = new ImportBudget()): TensorValue {
  const x = inputs[0];
  if (!x) throw new Error('missing input 0');
  const rank = x.dims.length;
  /** Charges a new result of these dims (float32: 4 bytes an element; integers, JS numbers: 8); returns its size. */
  const afford = (dims: readonly number[], type: TensorValue['type'] = x.type) => budget.charge('the result', dims, type === 'float' ? 4 : 8);
  switch (op) {
    case 'Identity':
      return x;
    case 'Cast': {
      const to = attrs.int('to');
      afford(x.dims, to === 1 || to === 11 ? 'float' : 'int');
      if (to === 1 || to === 11) return { type: 'float', dims: x.dims, data: Float32Array.from(x.data) };
      if (to === 6 || to === 7) return { type: 'int', dims: x.dims, data: Array.from(x.data, (v) => Math.trunc(v)) };
      throw new Error(`Cast to data type ${to} (expected FLOAT, DOUBLE, INT32 or INT64)`);
    }
    case 'Shape':
      return { type: 'int', dims: [rank], data: [...x.dims] };
    case 'Unsqueeze': {
      const axes = (inputs[1] ? ints(inputs[1], 'axes') : attrs.ints('axes')) ?? [];
      const outRank = rank + axes.length;
      const at = new Set(axes.map((a) => norm(a, outRank)));
      const dims: number[] = [];
      for (let d = 0, src = 0; d < outRank; d++) dims.push(at.has(d) ? 1 : x.dims[src++]);
      return { ...x, dims } as TensorValue;
    }
    case 'Squeeze': {
      const given = inputs[1] ? ints(inputs[1], 'axes') : attrs.ints('axes');
      const axes = new Set((given ?? x.dims.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => norm(a, rank)));
      for (const a of axes) if (x.dims[a] !== 1) throw new Error(`cannot squeeze axis ${a} of size ${x.dims[a]}`);
      return { ...x, dims: x.dims.filter((_, i) => !axes.has(i)) } as TensorValue;
    }
    case 'Reshape': {
      const shape = ints(inputs[1] ?? (() => { throw new Error('missing shape'); })(), 'shape');
      const dims = shape.map((d, i) => (d === 0 ? x.dims[i] : d));
      const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
      const out = dims.map((d) => (d === -1 ? sizeOf(x.dims) / known : d));
      if (sizeOf(out) !== sizeOf(x.dims)) throw new Error(`cannot reshape [${x.dims}] to [${shape}]`);
      return { ...x, dims: out } as TensorValue;
    }
    case 'Transpose': {
      const perm = attrs.ints('perm') ?? x.dims.map((_, i) => rank - 1 - i);
      const dims = perm.map((p) => x.dims[p]);
      afford(dims);
      const srcStrides = stridesOf(x.dims);
      const sources = new Int32Array(sizeOf(dims));
      forEachIndex(dims, (flat, index) => { let s = 0; for (let d = 0; d < rank; d++) s += index[d] * srcStrides[perm[d]]; sources[flat] = s; });
      return pick(x, dims, (i) => sources[i]);
    }
    case 'Concat': {
      const parts = inputs.filter((t): t is TensorValue => t !== null);
      const axis = norm(attrs.int('axis') ?? 0, rank);
      const outer = sizeOf(x.dims.slice(0, axis)), inner = sizeOf(x.dims.slice(axis + 1));
      const dims = [...x.dims];
      dims[axis] = parts.reduce((a, t) => a + t.dims[axis], 0);
      const n = afford(dims);
      const values = x.type === 'float' ? new Float32Array(n) : new Array<number>(n);
      let at = 0;
      for (let o = 0; o < outer; o++) {
        for (const t of parts) {
          const chunk = t.dims[axis] * inner;
          for (let i = 0; i < chunk; i++) values[at++] = t.data[o * chunk + i];
        }
      }
      return values instanceof Float32Array ? { type: 'float', dims, data: values } : { type: 'int', dims, data: values };
    }
    case 'Slice': {
      const starts = ints(inputs[1]!, 'starts'), ends = ints(inputs[2]!, 'ends');
      const axes = inputs[3] ? ints(inputs[3], 'axes').map((a) => norm(a, rank)) : starts.map((_, i) => i);
      const steps = inputs[4] ? ints(inputs[4], 'steps') : starts.map(() => 1);
      const begin = x.dims.map(() => 0), step = x.dims.map(() => 1), dims = [...x.dims];
      axes.forEach((a, i) => {
        const n = x.dims[a], s = steps[i];
        if (s === 0) throw new Error('Slice step 0');
        const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
        const b = s > 0 ? clamp(starts[i], 0, n) : clamp(starts[i], -1, n - 1);
        const e = s > 0 ? clamp(ends[i], 0, n) : clamp(ends[i], -1, n - 1);
        begin[a] = b; step[a] = s;
        dims[a] = Math.max(0, Math.ceil((e - b) / s));
      });
      afford(dims);
      const srcStrides = stridesOf(x.dims);
      const sources = new Int32Array(sizeOf(dims));
      forEachIndex(dims, (flat, index) => { let s = 0; for (let d = 0; d < rank; d++) s += (begin[d] + index[d] * step[d]) * srcStrides[d]; sources[flat] = s; });
      return pick(x, dims, (i) => sources[i]);
    }
    case 'Gather': {
      const indices = inputs[1] ?? (() => { throw new Error('missing indices'); })();
      const idx = ints(indices, 'indices');
      const axis = norm(attrs.int('axis') ?? 0, rank);
      const inner = sizeOf(x.dims.slice(axis + 1)), n = x.dims[axis];
      const dims = [...x.dims.slice(0, axis), ...indices.dims, ...x.dims.slice(axis + 1)];
      afford(dims);
      return pick(x, dims, (i) => {
        const o = Math.floor(i / (idx.length * inner)), k = Math.floor(i / inner) % idx.length, r = i % inner;
        return (o * n + norm(idx[k], n)) * inner + r;
      });
    }
    default:
      throw new Error(`cannot fold ${op}`);
  }
}
