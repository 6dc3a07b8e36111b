// Recognises an embedding + recurrent layers + dense head in an ONNX graph by symbolic evaluation:
// every tensor gets a meaning (token ids, per-step features, a layer's Y or Y_h, zero state, ...), each
// node is checked against the meanings of its inputs, and anything else is refused with the node, its
// op and what was expected. Handles RNN Lab's own exports and what torch.onnx.export writes.
//
// T = time, B = batch, D = directions, H = hidden, F = features the head reads, C = head outputs.
// The token input's two axes are called 'a' and 'b' in their order; which one is time is learned at
// the first recurrent node (its X is (T,B,I)), so batch_first models are recognised by their Transposes.
import { FOLDABLE_OPS, foldConstant } from './constFold';
import type { OnnxTypes } from './proto';
import { readTensor, text, toNumber, type TensorValue } from './tensorProto';

type Axis = 'a' | 'b';
type Axes = readonly [Axis, Axis];
/** One direction's final state (Y_h) of one layer. */
export interface FinalPart { readonly layer: number; readonly dir: number }

type Sym =
  | { kind: 'const'; t: TensorValue }
  | { kind: 'sizes' }                                        // integers from runtime shapes: only sizes zero states
  | { kind: 'zeros' }                                        // zero-filled tensor of a runtime shape
  | { kind: 'stateInput'; name: string }                     // a float graph input used as an initial state
  | { kind: 'ids'; axes: Axes }                              // the token input, rank 2
  | { kind: 'steps'; axes: Axes; width: number; from: number } // rank 3 per-step features; from -1 = input features, l = layer l's output
  | { kind: 'flatSteps'; axes: Axes; width: number; from: number } // steps reshaped to (T*B, F) or (B*T, F), rows in axes order
  | { kind: 'Y'; layer: number; axes: Axes; bdh: boolean }   // (T,D,B,H); bdh: after Transpose [0,2,1,3], (T,B,D,H)
  | { kind: 'Yh'; layer: number; bdh: boolean }              // (D,B,H); bdh: after Transpose [1,0,2], (B,D,H)
  | { kind: 'Yc'; layer: number }                            // lstm final cell state: not an input to any head
  | { kind: 'stack'; parts: FinalPart[] }                    // torch's h_n: Y_h of several layers concatenated, (L*D,B,H)
  | { kind: 'final'; parts: FinalPart[] }                    // (B, F): final states, directions concatenated in order
  | { kind: 'logits'; features: Sym; biased: boolean }     // the head's output; MatMul alone gives it without bias
  | { kind: 'probs'; head: 'softmax' | 'sigmoid'; features: Sym };

export interface FoundLayer {
  readonly node: string;
  readonly cell: 'rnn' | 'gru' | 'lstm';
  readonly hidden: number;
  readonly directions: number;
  readonly inputWidth: number;
  readonly activation: 'tanh' | 'relu';
  readonly resetAfter: boolean | null;           // gru only
  readonly W: TensorValue; readonly R: TensorValue; readonly B: TensorValue | null; readonly P: TensorValue | null;
}

/** The input lookup: an embedding table (V, E), or null for OneHot (E = V). */
interface FoundTable { readonly data: Float32Array | null; readonly V: number; readonly E: number }
/** The dense head as nn.Linear: weight (C, F), bias (C), reading `features`. */
interface FoundHead { readonly weight: Float32Array; readonly bias: Float32Array; readonly C: number; readonly F: number; readonly features: Sym }

export interface FoundModel {
  readonly vocabSize: number;
  readonly table: Float32Array | null;           // (V, E) embedding, the identity (V, V) of a one-hot input, or null (OneHot op)
  readonly embedWidth: number;
  readonly layers: FoundLayer[];
  readonly headW: Float32Array;                  // (C, F), as nn.Linear
  readonly headB: Float32Array;                  // (C)
  readonly outputs: number;
  readonly manyToOne: boolean;
  readonly headKind: 'softmax' | 'sigmoid' | null; // null: the graph outputs raw logits only
  readonly firstOutput: { readonly name: string; readonly op: string | null }; // op: the activation when it is not the logits
  readonly idsBatchFirst: boolean;
  readonly logitsBatchFirst: boolean;
  readonly idsInput: string;
}

const supportedOps = 'Constant, Identity, Dropout, Cast, Shape, Gather, OneHot, Unsqueeze, Squeeze, Concat, ConstantOfShape, Expand, ' +
  'Slice, Transpose, Reshape, RNN, GRU, LSTM, MatMul, Add, Gemm, Softmax, LogSoftmax, Sigmoid';

function describe(s: Sym): string {
  switch (s.kind) {
    case 'const': return `a constant of shape [${s.t.dims}]`;
    case 'sizes': return 'integers computed from runtime shapes';
    case 'zeros': return 'a zero-filled tensor';
    case 'stateInput': return `the state input "${s.name}"`;
    case 'ids': return 'the token ids';
    case 'steps': return `per-step features of width ${s.width} (${s.from < 0 ? 'embedded input' : `layer ${s.from} output`})`;
    case 'flatSteps': return `per-step features of width ${s.width} flattened to rows (layer ${s.from} output)`;
    case 'Y': return `layer ${s.layer}'s output Y ${s.bdh ? '(T,B,D,H)' : '(T,D,B,H)'}`;
    case 'Yh': return `layer ${s.layer}'s final hidden state Y_h ${s.bdh ? '(B,D,H)' : '(D,B,H)'}`;
    case 'Yc': return `layer ${s.layer}'s final cell state Y_c`;
    case 'stack': return 'stacked final states (L*D,B,H)';
    case 'final': return `final-state features (B,${s.parts.length}*H)`;
    case 'logits': return s.biased ? 'the head logits' : 'the head product (features · weight, no bias yet)';
    case 'probs': return `the ${s.head} of the logits`;
  }
}

interface Attr { type: number; i: number; f: number; s: string; ints: number[]; strings: string[]; t: OnnxTypes.ITensorProto | null }

function attributes(node: OnnxTypes.INodeProto, where: string): Map<string, Attr> {
  const out = new Map<string, Attr>();
  for (const a of node.attribute ?? []) {
    out.set(a.name ?? '', {
      type: a.type ?? 0,
      i: toNumber(a.i, `${where} attribute ${a.name}`),
      f: a.f ?? 0,
      s: text(a.s),
      ints: (a.ints ?? []).map((v) => toNumber(v, `${where} attribute ${a.name}`)),
      strings: (a.strings ?? []).map((b) => text(b)),
      t: a.t ?? null,
    });
  }
  return out;
}

const isAllZero = (t: TensorValue) => t.data.every((v) => v === 0);
const normIndex = (i: number, n: number) => (i < 0 ? i + n : i);

/** Evaluates the nodes that the graph's first output depends on and returns what they build. */
export function recogniseGraph(graph: OnnxTypes.IGraphProto): FoundModel {
  const nodes = graph.node ?? [];
  const outputs = graph.output ?? [];
  if (outputs.length === 0) throw new Error('graph: no outputs (expected logits as the first output)');
  const producer = new Map<string, OnnxTypes.INodeProto>();
  for (const n of nodes) for (const o of n.output ?? []) if (o) producer.set(o, n);

  // The cone of the first output: only these nodes are interpreted (state outputs and probabilities are not needed).
  const needed = new Set<OnnxTypes.INodeProto>();
  const stack = [outputs[0].name ?? ''];
  while (stack.length > 0) {
    const n = producer.get(stack.pop()!);
    if (!n || needed.has(n)) continue;
    needed.add(n);
    for (const i of n.input ?? []) if (i) stack.push(i);
  }

  const values = new Map<string, Sym>();
  for (const t of graph.initializer ?? []) values.set(t.name ?? '', { kind: 'const', t: readTensor(t, `initializer "${t.name}"`) });
  let idsInput = '';
  for (const input of graph.input ?? []) {
    const name = input.name ?? '';
    if (values.has(name)) continue;                           // an initializer listed as an input (IR < 4 style)
    const elemType = input.type?.tensorType?.elemType ?? 0;
    if (elemType === 7 || elemType === 6) {                   // INT64, INT32: token ids
      if (idsInput) throw new Error(`graph input "${name}": a second integer input (expected one input of token ids, "${idsInput}" already is)`);
      const rank = input.type?.tensorType?.shape?.dim?.length;
      if (rank !== undefined && rank !== 2) throw new Error(`graph input "${name}": token ids of rank ${rank}, expected rank 2 (T,B) or (B,T)`);
      idsInput = name;
      values.set(name, { kind: 'ids', axes: ['a', 'b'] });
    } else if (elemType === 1) {                              // FLOAT: only as an initial state
      values.set(name, { kind: 'stateInput', name });
    } else {
      throw new Error(`graph input "${name}": element type ${elemType}, expected int64/int32 token ids or a float initial state`);
    }
  }

  let time: Axis | null = null;
  let table: FoundTable | null = null;
  const layers: FoundLayer[] = [];
  let head: FoundHead | null = null;

  for (const node of nodes) {
    if (!needed.has(node)) continue;
    const op = node.opType ?? '';
    const where = `node "${node.name || node.output?.[0] || '?'}" (${op})`;
    const fail: (expected: string) => never = (expected) => { throw new Error(`${where}: ${expected}`); };
    const attrs = attributes(node, where);
    const inputs = (node.input ?? []).map((name) => {
      if (!name) return null;
      const v = values.get(name);
      if (!v) fail(`input "${name}" is not produced by any node, initializer or graph input`);
      return v as Sym;
    });
    const input = (i: number, what: string): Sym => inputs[i] ?? fail(`missing input ${i} (${what})`);
    const constInts = (s: Sym, what: string): number[] =>
      (s.kind === 'const' && s.t.type === 'int' ? s.t.data : fail(`expected ${what} as a constant integer tensor, got ${describe(s)}`));
    const onlyAttrs = (...allowed: string[]) => {
      for (const name of attrs.keys()) if (!allowed.includes(name)) fail(`unsupported attribute "${name}" (supported here: ${allowed.join(', ') || 'none'})`);
    };
    const axesOf = (inputIndex: number, attrName: string): number[] | null => {
      // opset >= 13 passes axes as an input; older opsets as an attribute.
      if (inputs[inputIndex]) return constInts(inputs[inputIndex]!, attrName);
      return attrs.has(attrName) ? attrs.get(attrName)!.ints : null;
    };
    const set = (s: Sym, index = 0) => { const name = node.output?.[index]; if (name) values.set(name, s); };

    const constants = inputs.map((s) => (s && s.kind === 'const' ? s.t : null));
    if (FOLDABLE_OPS.has(op) && inputs[0] && inputs.every((s, i) => !s || constants[i])) {
      try {
        set({ kind: 'const', t: foldConstant(op, constants, { int: (n) => attrs.get(n)?.i, ints: (n) => attrs.get(n)?.ints }) });
      } catch (err) {
        fail(`folding constants: ${(err as Error).message}`);
      }
      continue;
    }

    switch (op) {
      case 'Constant': {
        const a = attrs.get('value') ?? fail('expected a "value" tensor attribute (value_float(s)/value_int(s) are not supported)');
        onlyAttrs('value');
        set({ kind: 'const', t: readTensor(a.t ?? {}, where) });
        break;
      }
      case 'Identity':
      case 'Dropout': {
        if (op === 'Dropout' && inputs[2]) fail('a training_mode input (expected an inference Dropout)');
        set(input(0, 'data'));
        break;
      }
      case 'Cast': {
        const x = input(0, 'input');
        if (x.kind === 'const' || x.kind === 'sizes') set({ kind: 'sizes' });
        else if (x.kind === 'ids') set(x);
        else fail(`expected to cast sizes or token ids, got ${describe(x)}`);
        break;
      }
      case 'Shape':
        set({ kind: 'sizes' });
        break;
      case 'Gather': {
        onlyAttrs('axis');
        const data = input(0, 'data'), index = input(1, 'indices');
        const axis = attrs.get('axis')?.i ?? 0;
        if (index.kind === 'ids') {
          if (data.kind !== 'const' || data.t.type !== 'float' || data.t.dims.length !== 2 || axis !== 0) {
            fail(`expected an embedding lookup: Gather(float table (V,E), token ids) on axis 0, got ${describe(data)} on axis ${axis}`);
          }
          if (table) fail('a second embedding lookup (expected one)');
          const [V, E] = data.t.dims;
          table = { data: data.t.data, V, E };
          set({ kind: 'steps', axes: index.axes, width: E, from: -1 });
          break;
        }
        if (data.kind === 'sizes' || (data.kind === 'const' && data.t.type === 'int')) { set({ kind: 'sizes' }); break; }
        if (data.kind === 'zeros') { set(data); break; }
        const k = constInts(index, 'the index');
        if (k.length !== 1 || (index.kind === 'const' && index.t.dims.length !== 0)) fail(`expected a scalar index, got shape [${index.kind === 'const' ? index.t.dims : '?'}]`);
        if (data.kind === 'stateInput' && axis === 0) { set(data); break; }
        if (data.kind === 'Yh' && !data.bdh && axis === 0) {
          const D = layers[data.layer].directions;
          set({ kind: 'final', parts: [{ layer: data.layer, dir: normIndex(k[0], D) }] });
          break;
        }
        if (data.kind === 'stack' && axis === 0) {
          const part = data.parts[normIndex(k[0], data.parts.length)] ?? fail(`index ${k[0]} outside the ${data.parts.length} stacked states`);
          set({ kind: 'final', parts: [part] });
          break;
        }
        if (data.kind === 'steps' && data.from >= 0 && time && data.axes[axis] === time) {
          if (k[0] !== -1) fail(`expected index -1 (the last step) on the time axis, got ${k[0]}`);
          if (layers[data.from].directions !== 1) {
            fail('the last step of a bidirectional output is not a final state (the backward direction has read one token there); ' +
              'expected the final states h_n (Y_h) instead');
          }
          set({ kind: 'final', parts: [{ layer: data.from, dir: 0 }] });
          break;
        }
        fail(`expected Gather of the embedding table, of sizes, of final states (axis 0) or of the last step (time axis), got ${describe(data)} on axis ${axis}`);
        break;
      }
      case 'OneHot': {
        onlyAttrs('axis');
        const indices = input(0, 'indices');
        const depth = constInts(input(1, 'depth'), 'the depth');
        const onOff = input(2, 'values');
        if (indices.kind !== 'ids') fail(`expected one-hot token ids, got ${describe(indices)}`);
        const axis = attrs.get('axis')?.i ?? -1;
        if (axis !== -1 && axis !== 2) fail(`axis ${axis}, expected -1 (one-hot vectors as the last axis)`);
        if (onOff.kind !== 'const' || onOff.t.type !== 'float' || onOff.t.data.join(',') !== '0,1') fail('expected float values [0, 1]');
        if (table) fail('a second input lookup (expected one)');
        const V = depth[0];
        table = { data: null, V, E: V };
        set({ kind: 'steps', axes: indices.axes, width: V, from: -1 });
        break;
      }
      case 'Unsqueeze': {
        const x = input(0, 'data');
        axesOf(1, 'axes');
        if (x.kind === 'sizes' || x.kind === 'const') set({ kind: 'sizes' });
        else if (x.kind === 'zeros') set(x);
        else fail(`expected to unsqueeze sizes, got ${describe(x)}`);
        break;
      }
      case 'Squeeze': {
        const x = input(0, 'data');
        const axes = axesOf(1, 'axes') ?? fail('expected explicit axes');
        if (x.kind === 'Y' && !x.bdh && axes.length === 1 && axes[0] === 1 && layers[x.layer].directions === 1) {
          set({ kind: 'steps', axes: x.axes, width: layers[x.layer].hidden, from: x.layer });
        } else if (x.kind === 'Yh' && !x.bdh && axes.length === 1 && axes[0] === 0 && layers[x.layer].directions === 1) {
          set({ kind: 'final', parts: [{ layer: x.layer, dir: 0 }] });
        } else if (x.kind === 'sizes' || x.kind === 'const') {
          set({ kind: 'sizes' });
        } else {
          fail(`expected Squeeze of a one-direction Y on axis 1 or Y_h on axis 0, got ${describe(x)} with axes [${axes}]`);
        }
        break;
      }
      case 'Concat': {
        onlyAttrs('axis');
        const parts = inputs.map((s, i) => s ?? fail(`missing input ${i}`));
        const axis = attrs.get('axis')?.i ?? fail('expected an axis attribute');
        if (parts.every((s) => s.kind === 'sizes' || s.kind === 'const')) set({ kind: 'sizes' });
        else if (parts.every((s) => s.kind === 'zeros')) set({ kind: 'zeros' });
        else if (axis === 0 && parts.every((s) => (s.kind === 'Yh' && !s.bdh) || s.kind === 'stack')) {
          set({
            kind: 'stack',
            parts: parts.flatMap((s) => (s.kind === 'stack' ? s.parts
              : s.kind === 'Yh' ? Array.from({ length: layers[s.layer].directions }, (_, dir) => ({ layer: s.layer, dir })) : [])),
          });
        } else if ((axis === 1 || axis === -1) && parts.every((s) => s.kind === 'final')) {
          set({ kind: 'final', parts: parts.flatMap((s) => (s.kind === 'final' ? s.parts : [])) });
        } else {
          fail(`expected Concat of sizes, of final states on axis 0, or of final-state features on axis 1; got ${parts.map(describe).join(', ')} on axis ${axis}`);
        }
        break;
      }
      case 'ConstantOfShape': {
        onlyAttrs('value');
        const value = attrs.get('value');
        if (value && !isAllZero(readTensor(value.t ?? {}, where))) fail('expected a zero fill value (a non-zero initial state is not supported)');
        set({ kind: 'zeros' });
        break;
      }
      case 'Expand': {
        const x = input(0, 'input');
        if (x.kind === 'zeros' || (x.kind === 'const' && x.t.type === 'float' && isAllZero(x.t))) set({ kind: 'zeros' });
        else fail(`expected to expand zeros into an initial state, got ${describe(x)}${x.kind === 'const' ? ' with non-zero values' : ''}`);
        break;
      }
      case 'Slice': {
        const x = input(0, 'data');
        if (x.kind === 'zeros' || x.kind === 'stateInput') set(x);
        else if (x.kind === 'sizes' || (x.kind === 'const' && x.t.type === 'int')) set({ kind: 'sizes' });
        else if (x.kind === 'const' && isAllZero(x.t)) set({ kind: 'zeros' });
        else fail(`expected to slice zeros, sizes or a state input, got ${describe(x)}`);
        break;
      }
      case 'Transpose': {
        onlyAttrs('perm');
        const x = input(0, 'data');
        const perm = (attrs.get('perm') ?? fail('expected a perm attribute')).ints.join(',');
        if (x.kind === 'steps' && perm === '1,0,2') set({ ...x, axes: [x.axes[1], x.axes[0]] });
        else if (x.kind === 'Y' && !x.bdh && perm === '0,2,1,3') set({ ...x, bdh: true });
        else if (x.kind === 'Yh' && !x.bdh && perm === '1,0,2') set({ ...x, bdh: true });
        else fail(`expected perm [1,0,2] on per-step features or Y_h, or [0,2,1,3] on Y; got perm [${perm}] on ${describe(x)}`);
        break;
      }
      case 'Reshape': {
        onlyAttrs('allowzero');
        if (attrs.get('allowzero')?.i) fail('expected allowzero 0');
        const x = input(0, 'data');
        const shape = constInts(input(1, 'shape'), 'the target shape');
        const key = shape.join(',');
        if (x.kind === 'Y' && x.bdh) {
          const F = layers[x.layer].directions * layers[x.layer].hidden;
          if (key !== '0,0,-1' && key !== `0,0,${F}`) fail(`expected shape [0,0,-1] to join the directions of (T,B,D,H), got [${shape}]`);
          set({ kind: 'steps', axes: x.axes, width: F, from: x.layer });
        } else if (x.kind === 'Yh' && x.bdh) {
          const F = layers[x.layer].directions * layers[x.layer].hidden;
          if (key !== '0,-1' && key !== `0,${F}` && key !== `-1,${F}`) fail(`expected shape [0,-1] to join the directions of (B,D,H), got [${shape}]`);
          set({ kind: 'final', parts: Array.from({ length: layers[x.layer].directions }, (_, dir) => ({ layer: x.layer, dir })) });
        } else if (x.kind === 'steps' && key === '0,0,-1') {
          set(x);
        } else if (x.kind === 'steps' && (key === '-1,0' || key === `-1,${x.width}`)) {
          set({ kind: 'flatSteps', axes: x.axes, width: x.width, from: x.from });
        } else if (x.kind === 'zeros') {
          set(x);
        } else {
          fail(`expected Reshape joining directions of a transposed Y or Y_h, or flattening per-step features to [-1,F]; got ${describe(x)} to [${shape}]`);
        }
        break;
      }
      case 'RNN':
      case 'GRU':
      case 'LSTM': {
        const cell = op === 'RNN' ? 'rnn' : op === 'GRU' ? 'gru' : 'lstm';
        const G = cell === 'rnn' ? 1 : cell === 'gru' ? 3 : 4;
        const allowed = ['hidden_size', 'direction', 'activations', 'layout',
          ...(cell === 'gru' ? ['linear_before_reset'] : []), ...(cell === 'lstm' ? ['input_forget'] : [])];
        onlyAttrs(...allowed);
        const direction = attrs.get('direction')?.s || 'forward';
        if (direction !== 'forward' && direction !== 'bidirectional') fail(`direction "${direction}", expected "forward" or "bidirectional"`);
        const D = direction === 'bidirectional' ? 2 : 1;
        if (attrs.get('layout')?.i) fail('layout 1 (batch-major), expected 0');
        if (attrs.get('input_forget')?.i) fail('input_forget 1, expected 0 (coupled input-forget gates are not supported)');
        const expectedActs = cell === 'gru' ? ['sigmoid', 'tanh'] : cell === 'lstm' ? ['sigmoid', 'tanh', 'tanh'] : null;
        const acts = (attrs.get('activations')?.strings ?? []).map((s) => s.toLowerCase());
        let activation: 'tanh' | 'relu' = 'tanh';
        if (cell === 'rnn') {
          const kinds = new Set(acts);
          if (acts.length > 0 && (kinds.size !== 1 || !(kinds.has('tanh') || kinds.has('relu')))) {
            fail(`activations [${acts}], expected Tanh or Relu for every direction`);
          }
          if (kinds.has('relu')) activation = 'relu';
        } else if (acts.length > 0 && acts.join(',') !== Array(D).fill(expectedActs!.join(',')).join(',')) {
          fail(`activations [${acts}], expected the defaults [${expectedActs}] per direction`);
        }
        const x = input(0, 'X');
        if (x.kind !== 'steps') fail(`X is ${describe(x)}, expected per-step features (T,B,I)`);
        if (x.from !== layers.length - 1) {
          fail(`X is ${describe(x)}; expected ${layers.length === 0 ? 'the embedded input' : `the output of layer ${layers.length - 1}`} (layers must be chained in order)`);
        }
        if (time === null) time = x.axes[0];
        else if (x.axes[0] !== time) fail('X is batch-major here (expected (T,B,I); a Transpose [1,0,2] is missing)');
        const weight = (i: number, name: string, dims: number[]): TensorValue | null => {
          const s = inputs[i];
          if (!s) return null;
          if (s.kind !== 'const' || s.t.type !== 'float') fail(`${name} is ${describe(s)}, expected a float initializer`);
          const t = s.t;
          if (t.dims.join(',') !== dims.join(',')) fail(`${name} has shape [${t.dims}], expected [${dims}]`);
          return t;
        };
        const R0 = inputs[2];
        const H = attrs.get('hidden_size')?.i ?? (R0?.kind === 'const' ? R0.t.dims[2] : fail('expected hidden_size'));
        const W = weight(1, 'W', [D, G * H, x.width]) ?? fail('missing W');
        const R = weight(2, 'R', [D, G * H, H]) ?? fail('missing R');
        const B = weight(3, 'B', [D, 2 * G * H]);
        if (inputs[4]) fail('sequence_lens is given; expected it empty (every sequence runs the full length)');
        for (const [i, name] of [[5, 'initial_h'], [6, 'initial_c']] as const) {
          const s = inputs[i];
          if (s && !(s.kind === 'zeros' || s.kind === 'stateInput' || (s.kind === 'const' && isAllZero(s.t)))) {
            fail(`${name} is ${describe(s)}, expected zeros or a state input`);
          }
        }
        const P = cell === 'lstm' ? weight(7, 'P', [D, 3 * H]) : null;
        if (layers.length > 0) {
          const first = layers[0];
          if (first.cell !== cell || first.hidden !== H || first.directions !== D || first.activation !== activation) {
            fail(`layer ${layers.length} differs from layer 0 (${first.cell}, H ${first.hidden}, D ${first.directions}, ${first.activation}); expected identical layers`);
          }
        }
        const resetAfter = cell === 'gru' ? (attrs.get('linear_before_reset')?.i ?? 0) === 1 : null;
        if (layers.length > 0 && layers[0].resetAfter !== resetAfter) fail('linear_before_reset differs from layer 0');
        if (layers.length > 0 && (layers[0].P === null) !== (P === null)) fail('peepholes (P) on some layers only');
        const layer = layers.length;
        layers.push({ node: where, cell, hidden: H, directions: D, inputWidth: x.width, activation, resetAfter, W, R, B, P });
        set({ kind: 'Y', layer, axes: x.axes, bdh: false }, 0);
        set({ kind: 'Yh', layer, bdh: false }, 1);
        set({ kind: 'Yc', layer }, 2);
        break;
      }
      case 'MatMul': {
        const a = input(0, 'A'), b = input(1, 'B');
        if (!(a.kind === 'steps' || a.kind === 'flatSteps' || a.kind === 'final') || b.kind !== 'const' || b.t.type !== 'float' || b.t.dims.length !== 2) {
          fail(`expected features times a float weight (F,C), got ${describe(a)} times ${describe(b)}`);
        }
        const t = b.t;
        const [F, C] = t.dims;
        const width = a.kind === 'steps' || a.kind === 'flatSteps' ? a.width : null;
        if (width !== null && width !== F) fail(`weight has ${F} rows, the features have width ${width}`);
        if (head) fail('a second dense head (expected one)');
        const headW = new Float32Array(C * F);                          // (F,C) → (C,F), as nn.Linear
        for (let f = 0; f < F; f++) for (let c = 0; c < C; c++) headW[c * F + f] = t.data[f * C + c];
        head = { weight: headW, bias: new Float32Array(C), C, F, features: a };
        set({ kind: 'logits', features: a, biased: false });
        break;
      }
      case 'Add': {
        const [p, q] = [input(0, 'A'), input(1, 'B')];
        const product = p.kind === 'logits' && !p.biased ? p : q.kind === 'logits' && !q.biased ? q
          : fail(`expected the head product plus a bias, got ${describe(p)} + ${describe(q)}`);
        const bias = product === p ? q : p;
        const C = head!.C;
        if (bias.kind !== 'const' || bias.t.type !== 'float' || bias.t.data.length !== C) fail(`expected a float bias of ${C} values, got ${describe(bias)}`);
        head = { ...head!, bias: Float32Array.from(bias.t.data) };
        set({ kind: 'logits', features: product.features, biased: true });
        break;
      }
      case 'Gemm': {
        onlyAttrs('alpha', 'beta', 'transA', 'transB');
        if ((attrs.get('alpha')?.f ?? 1) !== 1 || (attrs.get('beta')?.f ?? 1) !== 1 || attrs.get('transA')?.i) fail('expected alpha 1, beta 1, transA 0');
        const a = input(0, 'A'), b = input(1, 'B'), c = inputs[2];
        if (a.kind !== 'final' && a.kind !== 'flatSteps') fail(`A is ${describe(a)}, expected final-state features (B,F) or flattened per-step features`);
        if (b.kind !== 'const' || b.t.type !== 'float' || b.t.dims.length !== 2) fail(`B is ${describe(b)}, expected a float weight`);
        const t = b.t;
        const transB = attrs.get('transB')?.i === 1;
        const [C, F] = transB ? t.dims : [t.dims[1], t.dims[0]];
        if (a.kind === 'flatSteps' && a.width !== F) fail(`weight reads ${F} features, the flattened features have width ${a.width}`);
        const headW = new Float32Array(C * F);
        for (let ci = 0; ci < C; ci++) for (let f = 0; f < F; f++) headW[ci * F + f] = transB ? t.data[ci * F + f] : t.data[f * C + ci];
        let bias = new Float32Array(C);
        if (c) {
          if (c.kind !== 'const' || c.t.type !== 'float' || c.t.data.length !== C) fail(`C is ${describe(c)}, expected a float bias of ${C} values`);
          bias = Float32Array.from(c.t.data);
        }
        if (head) fail('a second dense head (expected one)');
        head = { weight: headW, bias, C, F, features: a };
        set({ kind: 'logits', features: a, biased: true });
        break;
      }
      case 'Softmax':
      case 'LogSoftmax':
      case 'Sigmoid': {
        const x = input(0, 'input');
        if (x.kind !== 'logits') fail(`expected the head's logits, got ${describe(x)}`);
        const axis = attrs.get('axis')?.i ?? -1;
        const lastAxis = x.features.kind === 'steps' ? 2 : 1;
        if (op !== 'Sigmoid' && axis !== -1 && axis !== lastAxis) fail(`axis ${axis}, expected the class axis (-1)`);
        set({ kind: 'probs', head: op === 'Sigmoid' ? 'sigmoid' : 'softmax', features: x.features });
        break;
      }
      default:
        fail(`unsupported op (expected one of: ${supportedOps})`);
    }
  }

  const first = outputs[0].name ?? '';
  const result = values.get(first) ?? (() => { throw new Error(`graph output "${first}" is not produced by any node`); })();
  if (result.kind !== 'logits' && result.kind !== 'probs') {
    throw new Error(`graph output "${first}" is ${describe(result)}; expected the logits (or probabilities) of a dense head on recurrent layers`);
  }
  if (!table) throw new Error('graph: no embedding lookup (expected Gather(table, token ids) feeding the first recurrent node)');
  if (layers.length === 0 || time === null) throw new Error('graph: no RNN, GRU or LSTM node on the path to the output');
  if (!head) throw new Error('graph: no dense head (expected MatMul + Add or Gemm)');
  const found: FoundHead = head;
  const last = layers.length - 1, D = layers[last].directions, F = D * layers[last].hidden;
  if (found.F !== F) throw new Error(`head: reads ${found.F} features, the last layer gives ${F} (D*H)`);
  const features = found.features;
  let logitsAxes: Axes | null = null;
  if (features.kind === 'steps' || features.kind === 'flatSteps') {
    if (features.from !== last) throw new Error(`head: reads ${describe(features)}, expected the last layer's output`);
    logitsAxes = features.axes;
  } else if (features.kind === 'final') {
    const expected = Array.from({ length: D }, (_, dir) => `${last}:${dir}`).join(',');
    const got = features.parts.map((p) => `${p.layer}:${p.dir}`).join(',');
    if (got !== expected) {
      throw new Error(`head: reads final states [${got}] (layer:direction), expected the last layer's, in direction order [${expected}]`);
    }
  }
  // A probabilities output elsewhere (RNN Lab exports add one) names the head kind.
  let headKind: 'softmax' | 'sigmoid' | null = result.kind === 'probs' ? result.head : null;
  const logitsName = result.kind === 'logits' ? first : null;
  for (const n of nodes) {
    if (headKind || !logitsName || n.input?.[0] !== logitsName) continue;
    if (n.opType === 'Softmax' || n.opType === 'LogSoftmax') headKind = 'softmax';
    if (n.opType === 'Sigmoid') headKind = 'sigmoid';
  }
  const lookup: FoundTable = table;
  return {
    vocabSize: lookup.V, table: lookup.data, embedWidth: lookup.E, layers,
    headW: found.weight, headB: found.bias, outputs: found.C, manyToOne: features.kind === 'final', headKind,
    idsBatchFirst: time !== 'a', logitsBatchFirst: logitsAxes !== null && logitsAxes[0] !== time, idsInput,
    firstOutput: { name: first, op: result.kind === 'probs' ? producer.get(first)?.opType ?? null : null },
  };
}

