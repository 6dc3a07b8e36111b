// Recognises an embedding + recurrent layers + dense head in an ONNX graph by symbolic evaluation:
// every tensor gets a meaning (token ids, per-step features, a layer's Y or Y_h, zero state, ...), each
// node is checked against the meanings of its inputs, and anything else is refused with the node, its
// op and what was expected. Handles RNN Lab's own exports and what torch.onnx.export writes.
//
// T = time, B = batch, D = directions, H = hidden, F = features the head reads, C = head outputs.
// The token input's two axes are called 'a' and 'b' in their order; which one is time is learned at
// the first recurrent node (its X is (T,B,I)), so batch_first models are recognised by their Transposes.
import { ImportBudget } from './budget';
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
/** Every direction of one layer, in order, as final-state parts. */
const allDirections = (layer: number, D: number): FinalPart[] => Array.from({ length: D }, (_, dir) => ({ layer, dir }));

/** What the walk over the graph has found so far; op handlers read it and add to it. */
interface Walk {
  readonly values: Map<string, Sym>;
  readonly layers: FoundLayer[];
  time: Axis | null;                             // which token axis is time, learned at the first recurrent node
  table: FoundTable | null;
  head: FoundHead | null;
  readonly budget: ImportBudget;                 // what initializers, constants and folded results may allocate
}

/** One node under interpretation: the meanings of its inputs, its attributes, and the checks handlers share. */
class NodeContext {
  readonly op: string;
  readonly where: string;
  readonly attrs: Map<string, Attr>;
  readonly inputs: readonly (Sym | null)[];      // null: an omitted optional input

  constructor(readonly node: OnnxTypes.INodeProto, private readonly walk: Walk) {
    this.op = node.opType ?? '';
    this.where = `node "${node.name || node.output?.[0] || '?'}" (${this.op})`;
    this.attrs = attributes(node, this.where);
    this.inputs = (node.input ?? []).map((name) => {
      if (!name) return null;
      return walk.values.get(name) ?? this.fail(`input "${name}" is not produced by any node, initializer or graph input`);
    });
  }

  fail(expected: string): never {
    throw new Error(`${this.where}: ${expected}`);
  }

  input(i: number, what: string): Sym {
    return this.inputs[i] ?? this.fail(`missing input ${i} (${what})`);
  }

  int(name: string): number | undefined {
    return this.attrs.get(name)?.i;
  }

  constInts(s: Sym, what: string): number[] {
    return s.kind === 'const' && s.t.type === 'int' ? s.t.data : this.fail(`expected ${what} as a constant integer tensor, got ${describe(s)}`);
  }

  onlyAttrs(...allowed: string[]): void {
    for (const name of this.attrs.keys()) {
      if (!allowed.includes(name)) this.fail(`unsupported attribute "${name}" (supported here: ${allowed.join(', ') || 'none'})`);
    }
  }

  /** Axes of Squeeze/Unsqueeze: an input from opset 13 on, an attribute before. */
  axesOf(inputIndex: number, attrName: string): number[] | null {
    const given = this.inputs[inputIndex];
    if (given) return this.constInts(given, attrName);
    return this.attrs.get(attrName)?.ints ?? null;
  }

  /** Gives the node's output `index` its meaning. */
  set(s: Sym, index = 0): void {
    const name = this.node.output?.[index];
    if (name) this.walk.values.set(name, s);
  }
}

/** Folds the node when it is a foldable op on constants only; true when it did. */
function foldIfConstant(n: NodeContext, w: Walk): boolean {
  const constants = n.inputs.map((s) => (s && s.kind === 'const' ? s.t : null));
  if (!FOLDABLE_OPS.has(n.op) || !n.inputs[0] || !n.inputs.every((s, i) => !s || constants[i])) return false;
  try {
    n.set({ kind: 'const', t: foldConstant(n.op, constants, { int: (name) => n.int(name), ints: (name) => n.attrs.get(name)?.ints }, w.budget) });
  } catch (err) {
    n.fail(`folding constants: ${(err as Error).message}`);
  }
  return true;
}

type OpHandler = (n: NodeContext, w: Walk) => void;

function constant(n: NodeContext, w: Walk): void {
  const a = n.attrs.get('value') ?? n.fail('expected a "value" tensor attribute (value_float(s)/value_int(s) are not supported)');
  n.onlyAttrs('value');
  n.set({ kind: 'const', t: readTensor(a.t ?? {}, n.where, w.budget) });
}

function identity(n: NodeContext): void {
  n.set(n.input(0, 'data'));
}

function dropout(n: NodeContext): void {
  if (n.inputs[2]) n.fail('a training_mode input (expected an inference Dropout)');
  n.set(n.input(0, 'data'));
}

function cast(n: NodeContext): void {
  const x = n.input(0, 'input');
  if (x.kind === 'const' || x.kind === 'sizes') n.set({ kind: 'sizes' });
  else if (x.kind === 'ids') n.set(x);
  else n.fail(`expected to cast sizes or token ids, got ${describe(x)}`);
}

function shape(n: NodeContext): void {
  n.set({ kind: 'sizes' });
}

function gather(n: NodeContext, w: Walk): void {
  n.onlyAttrs('axis');
  const data = n.input(0, 'data'), index = n.input(1, 'indices');
  const axis = n.int('axis') ?? 0;
  if (index.kind === 'ids') return embeddingLookup(n, w, data, index, axis);
  if (data.kind === 'sizes' || (data.kind === 'const' && data.t.type === 'int')) return n.set({ kind: 'sizes' });
  if (data.kind === 'zeros') return n.set(data);
  const k = n.constInts(index, 'the index');
  if (k.length !== 1 || (index.kind === 'const' && index.t.dims.length !== 0)) n.fail(`expected a scalar index, got shape [${index.kind === 'const' ? index.t.dims : '?'}]`);
  n.set(gatherState(n, w, data, k[0], axis));
}

/** Gather(table (V,E), token ids): the embedding. */
function embeddingLookup(n: NodeContext, w: Walk, data: Sym, ids: Extract<Sym, { kind: 'ids' }>, axis: number): void {
  if (data.kind !== 'const' || data.t.type !== 'float' || data.t.dims.length !== 2 || axis !== 0) {
    n.fail(`expected an embedding lookup: Gather(float table (V,E), token ids) on axis 0, got ${describe(data)} on axis ${axis}`);
  }
  if (w.table) n.fail('a second embedding lookup (expected one)');
  const [V, E] = data.t.dims;
  w.table = { data: data.t.data, V, E };
  n.set({ kind: 'steps', axes: ids.axes, width: E, from: -1 });
}

/** Gather with a scalar index k: one direction of Y_h, one of torch's stacked h_n, or the last step of Y. */
function gatherState(n: NodeContext, w: Walk, data: Sym, k: number, axis: number): Sym {
  if (data.kind === 'stateInput' && axis === 0) return data;
  if (data.kind === 'Yh' && !data.bdh && axis === 0) {
    return { kind: 'final', parts: [{ layer: data.layer, dir: normIndex(k, w.layers[data.layer].directions) }] };
  }
  if (data.kind === 'stack' && axis === 0) {
    const part = data.parts[normIndex(k, data.parts.length)] ?? n.fail(`index ${k} outside the ${data.parts.length} stacked states`);
    return { kind: 'final', parts: [part] };
  }
  if (data.kind === 'steps' && data.from >= 0 && w.time && data.axes[axis] === w.time) {
    if (k !== -1) n.fail(`expected index -1 (the last step) on the time axis, got ${k}`);
    if (w.layers[data.from].directions !== 1) {
      n.fail('the last step of a bidirectional output is not a final state (the backward direction has read one token there); ' +
        'expected the final states h_n (Y_h) instead');
    }
    return { kind: 'final', parts: [{ layer: data.from, dir: 0 }] };
  }
  return n.fail(`expected Gather of the embedding table, of sizes, of final states (axis 0) or of the last step (time axis), got ${describe(data)} on axis ${axis}`);
}

function oneHot(n: NodeContext, w: Walk): void {
  n.onlyAttrs('axis');
  const indices = n.input(0, 'indices');
  const depth = n.constInts(n.input(1, 'depth'), 'the depth');
  const onOff = n.input(2, 'values');
  if (indices.kind !== 'ids') n.fail(`expected one-hot token ids, got ${describe(indices)}`);
  const axis = n.int('axis') ?? -1;
  if (axis !== -1 && axis !== 2) n.fail(`axis ${axis}, expected -1 (one-hot vectors as the last axis)`);
  if (onOff.kind !== 'const' || onOff.t.type !== 'float' || onOff.t.data.join(',') !== '0,1') n.fail('expected float values [0, 1]');
  if (w.table) n.fail('a second input lookup (expected one)');
  const V = depth[0];
  w.table = { data: null, V, E: V };
  n.set({ kind: 'steps', axes: indices.axes, width: V, from: -1 });
}

function unsqueeze(n: NodeContext): void {
  const x = n.input(0, 'data');
  n.axesOf(1, 'axes');
  if (x.kind === 'sizes' || x.kind === 'const') n.set({ kind: 'sizes' });
  else if (x.kind === 'zeros') n.set(x);
  else n.fail(`expected to unsqueeze sizes, got ${describe(x)}`);
}

function squeeze(n: NodeContext, w: Walk): void {
  const x = n.input(0, 'data');
  const axes = n.axesOf(1, 'axes') ?? n.fail('expected explicit axes');
  const oneAxis = (a: number) => axes.length === 1 && axes[0] === a;
  if (x.kind === 'Y' && !x.bdh && oneAxis(1) && w.layers[x.layer].directions === 1) {
    n.set({ kind: 'steps', axes: x.axes, width: w.layers[x.layer].hidden, from: x.layer });
  } else if (x.kind === 'Yh' && !x.bdh && oneAxis(0) && w.layers[x.layer].directions === 1) {
    n.set({ kind: 'final', parts: [{ layer: x.layer, dir: 0 }] });
  } else if (x.kind === 'sizes' || x.kind === 'const') {
    n.set({ kind: 'sizes' });
  } else {
    n.fail(`expected Squeeze of a one-direction Y on axis 1 or Y_h on axis 0, got ${describe(x)} with axes [${axes}]`);
  }
}

function concat(n: NodeContext, w: Walk): void {
  n.onlyAttrs('axis');
  const parts = n.inputs.map((s, i) => s ?? n.fail(`missing input ${i}`));
  const axis = n.int('axis') ?? n.fail('expected an axis attribute');
  if (parts.every((s) => s.kind === 'sizes' || s.kind === 'const')) n.set({ kind: 'sizes' });
  else if (parts.every((s) => s.kind === 'zeros')) n.set({ kind: 'zeros' });
  else if (axis === 0 && parts.every((s) => (s.kind === 'Yh' && !s.bdh) || s.kind === 'stack')) {
    n.set({
      kind: 'stack',
      parts: parts.flatMap((s) => (s.kind === 'stack' ? s.parts : s.kind === 'Yh' ? allDirections(s.layer, w.layers[s.layer].directions) : [])),
    });
  } else if ((axis === 1 || axis === -1) && parts.every((s) => s.kind === 'final')) {
    n.set({ kind: 'final', parts: parts.flatMap((s) => (s.kind === 'final' ? s.parts : [])) });
  } else {
    n.fail(`expected Concat of sizes, of final states on axis 0, or of final-state features on axis 1; got ${parts.map(describe).join(', ')} on axis ${axis}`);
  }
}

function constantOfShape(n: NodeContext, w: Walk): void {
  n.onlyAttrs('value');
  const value = n.attrs.get('value');
  if (value && !isAllZero(readTensor(value.t ?? {}, n.where, w.budget))) n.fail('expected a zero fill value (a non-zero initial state is not supported)');
  n.set({ kind: 'zeros' });
}

function expand(n: NodeContext): void {
  const x = n.input(0, 'input');
  if (x.kind === 'zeros' || (x.kind === 'const' && x.t.type === 'float' && isAllZero(x.t))) n.set({ kind: 'zeros' });
  else n.fail(`expected to expand zeros into an initial state, got ${describe(x)}${x.kind === 'const' ? ' with non-zero values' : ''}`);
}

function slice(n: NodeContext): void {
  const x = n.input(0, 'data');
  if (x.kind === 'zeros' || x.kind === 'stateInput') n.set(x);
  else if (x.kind === 'sizes' || (x.kind === 'const' && x.t.type === 'int')) n.set({ kind: 'sizes' });
  else if (x.kind === 'const' && isAllZero(x.t)) n.set({ kind: 'zeros' });
  else n.fail(`expected to slice zeros, sizes or a state input, got ${describe(x)}`);
}

function transpose(n: NodeContext): void {
  n.onlyAttrs('perm');
  const x = n.input(0, 'data');
  const perm = (n.attrs.get('perm') ?? n.fail('expected a perm attribute')).ints.join(',');
  if (x.kind === 'steps' && perm === '1,0,2') n.set({ ...x, axes: [x.axes[1], x.axes[0]] });
  else if (x.kind === 'Y' && !x.bdh && perm === '0,2,1,3') n.set({ ...x, bdh: true });
  else if (x.kind === 'Yh' && !x.bdh && perm === '1,0,2') n.set({ ...x, bdh: true });
  else n.fail(`expected perm [1,0,2] on per-step features or Y_h, or [0,2,1,3] on Y; got perm [${perm}] on ${describe(x)}`);
}

function reshape(n: NodeContext, w: Walk): void {
  n.onlyAttrs('allowzero');
  if (n.int('allowzero')) n.fail('expected allowzero 0');
  const x = n.input(0, 'data');
  const shape = n.constInts(n.input(1, 'shape'), 'the target shape');
  const key = shape.join(',');
  if (x.kind === 'Y' && x.bdh) {
    const F = w.layers[x.layer].directions * w.layers[x.layer].hidden;
    if (key !== '0,0,-1' && key !== `0,0,${F}`) n.fail(`expected shape [0,0,-1] to join the directions of (T,B,D,H), got [${shape}]`);
    n.set({ kind: 'steps', axes: x.axes, width: F, from: x.layer });
  } else if (x.kind === 'Yh' && x.bdh) {
    const F = w.layers[x.layer].directions * w.layers[x.layer].hidden;
    if (key !== '0,-1' && key !== `0,${F}` && key !== `-1,${F}`) n.fail(`expected shape [0,-1] to join the directions of (B,D,H), got [${shape}]`);
    n.set({ kind: 'final', parts: allDirections(x.layer, w.layers[x.layer].directions) });
  } else if (x.kind === 'steps' && key === '0,0,-1') {
    n.set(x);
  } else if (x.kind === 'steps' && (key === '-1,0' || key === `-1,${x.width}`)) {
    n.set({ kind: 'flatSteps', axes: x.axes, width: x.width, from: x.from });
  } else if (x.kind === 'zeros') {
    n.set(x);
  } else {
    n.fail(`expected Reshape joining directions of a transposed Y or Y_h, or flattening per-step features to [-1,F]; got ${describe(x)} to [${shape}]`);
  }
}

/** RNN, GRU, LSTM: one layer, chained onto the previous one and identical to layer 0. */
function recurrent(n: NodeContext, w: Walk): void {
  const cell = n.op === 'RNN' ? 'rnn' : n.op === 'GRU' ? 'gru' : 'lstm';
  const G = cell === 'rnn' ? 1 : cell === 'gru' ? 3 : 4;
  const { D, activation } = recurrentAttributes(n, cell);
  const x = n.input(0, 'X');
  if (x.kind !== 'steps') n.fail(`X is ${describe(x)}, expected per-step features (T,B,I)`);
  const { layers } = w;
  if (x.from !== layers.length - 1) {
    n.fail(`X is ${describe(x)}; expected ${layers.length === 0 ? 'the embedded input' : `the output of layer ${layers.length - 1}`} (layers must be chained in order)`);
  }
  if (w.time === null) w.time = x.axes[0];
  else if (x.axes[0] !== w.time) n.fail('X is batch-major here (expected (T,B,I); a Transpose [1,0,2] is missing)');
  const R0 = n.inputs[2];
  const H = n.int('hidden_size') ?? (R0?.kind === 'const' ? R0.t.dims[2] : n.fail('expected hidden_size'));
  const W = weight(n, 1, 'W', [D, G * H, x.width]) ?? n.fail('missing W');
  const R = weight(n, 2, 'R', [D, G * H, H]) ?? n.fail('missing R');
  const B = weight(n, 3, 'B', [D, 2 * G * H]);
  if (n.inputs[4]) n.fail('sequence_lens is given; expected it empty (every sequence runs the full length)');
  for (const [i, name] of [[5, 'initial_h'], [6, 'initial_c']] as const) {
    const s = n.inputs[i];
    if (s && !(s.kind === 'zeros' || s.kind === 'stateInput' || (s.kind === 'const' && isAllZero(s.t)))) {
      n.fail(`${name} is ${describe(s)}, expected zeros or a state input`);
    }
  }
  const P = cell === 'lstm' ? weight(n, 7, 'P', [D, 3 * H]) : null;
  const resetAfter = cell === 'gru' ? (n.int('linear_before_reset') ?? 0) === 1 : null;
  const found: FoundLayer = { node: n.where, cell, hidden: H, directions: D, inputWidth: x.width, activation, resetAfter, W, R, B, P };
  if (layers.length > 0) sameAsFirst(n, layers[0], found, layers.length);
  const layer = layers.length;
  layers.push(found);
  n.set({ kind: 'Y', layer, axes: x.axes, bdh: false }, 0);
  n.set({ kind: 'Yh', layer, bdh: false }, 1);
  n.set({ kind: 'Yc', layer }, 2);
}

/** A recurrent node's attributes: directions and (rnn) activation; refuses what the engine lacks. */
function recurrentAttributes(n: NodeContext, cell: FoundLayer['cell']): { D: number; activation: 'tanh' | 'relu' } {
  n.onlyAttrs('hidden_size', 'direction', 'activations', 'layout',
    ...(cell === 'gru' ? ['linear_before_reset'] : []), ...(cell === 'lstm' ? ['input_forget'] : []));
  const direction = n.attrs.get('direction')?.s || 'forward';
  if (direction !== 'forward' && direction !== 'bidirectional') n.fail(`direction "${direction}", expected "forward" or "bidirectional"`);
  const D = direction === 'bidirectional' ? 2 : 1;
  if (n.int('layout')) n.fail('layout 1 (batch-major), expected 0');
  if (n.int('input_forget')) n.fail('input_forget 1, expected 0 (coupled input-forget gates are not supported)');
  const acts = (n.attrs.get('activations')?.strings ?? []).map((s) => s.toLowerCase());
  if (cell === 'rnn') {
    const kinds = new Set(acts);
    if (acts.length > 0 && (kinds.size !== 1 || !(kinds.has('tanh') || kinds.has('relu')))) {
      n.fail(`activations [${acts}], expected Tanh or Relu for every direction`);
    }
    return { D, activation: kinds.has('relu') ? 'relu' : 'tanh' };
  }
  const expected = cell === 'gru' ? ['sigmoid', 'tanh'] : ['sigmoid', 'tanh', 'tanh'];
  if (acts.length > 0 && acts.join(',') !== Array(D).fill(expected.join(',')).join(',')) {
    n.fail(`activations [${acts}], expected the defaults [${expected}] per direction`);
  }
  return { D, activation: 'tanh' };
}

/** Input i of a recurrent node as a float initializer of the given dims, or null when omitted. */
function weight(n: NodeContext, i: number, name: string, dims: number[]): TensorValue | null {
  const s = n.inputs[i];
  if (!s) return null;
  if (s.kind !== 'const' || s.t.type !== 'float') n.fail(`${name} is ${describe(s)}, expected a float initializer`);
  if (s.t.dims.join(',') !== dims.join(',')) n.fail(`${name} has shape [${s.t.dims}], expected [${dims}]`);
  return s.t;
}

/** The engine stacks identical layers: layer `index` must match layer 0 in kind, size and options. */
function sameAsFirst(n: NodeContext, first: FoundLayer, layer: FoundLayer, index: number): void {
  if (first.cell !== layer.cell || first.hidden !== layer.hidden || first.directions !== layer.directions || first.activation !== layer.activation) {
    n.fail(`layer ${index} differs from layer 0 (${first.cell}, H ${first.hidden}, D ${first.directions}, ${first.activation}); expected identical layers`);
  }
  if (first.resetAfter !== layer.resetAfter) n.fail('linear_before_reset differs from layer 0');
  if ((first.P === null) !== (layer.P === null)) n.fail('peepholes (P) on some layers only');
}

function matMul(n: NodeContext, w: Walk): void {
  const a = n.input(0, 'A'), b = n.input(1, 'B');
  if (!(a.kind === 'steps' || a.kind === 'flatSteps' || a.kind === 'final') || b.kind !== 'const' || b.t.type !== 'float' || b.t.dims.length !== 2) {
    n.fail(`expected features times a float weight (F,C), got ${describe(a)} times ${describe(b)}`);
  }
  const t = b.t;
  const [F, C] = t.dims;
  const width = a.kind === 'steps' || a.kind === 'flatSteps' ? a.width : null;
  if (width !== null && width !== F) n.fail(`weight has ${F} rows, the features have width ${width}`);
  if (w.head) n.fail('a second dense head (expected one)');
  const headW = new Float32Array(C * F);                          // (F,C) → (C,F), as nn.Linear
  for (let f = 0; f < F; f++) for (let c = 0; c < C; c++) headW[c * F + f] = t.data[f * C + c];
  w.head = { weight: headW, bias: new Float32Array(C), C, F, features: a };
  n.set({ kind: 'logits', features: a, biased: false });
}

function add(n: NodeContext, w: Walk): void {
  const [p, q] = [n.input(0, 'A'), n.input(1, 'B')];
  const product = p.kind === 'logits' && !p.biased ? p : q.kind === 'logits' && !q.biased ? q
    : n.fail(`expected the head product plus a bias, got ${describe(p)} + ${describe(q)}`);
  const bias = product === p ? q : p;
  const C = w.head!.C;
  if (bias.kind !== 'const' || bias.t.type !== 'float' || bias.t.data.length !== C) n.fail(`expected a float bias of ${C} values, got ${describe(bias)}`);
  w.head = { ...w.head!, bias: Float32Array.from(bias.t.data) };
  n.set({ kind: 'logits', features: product.features, biased: true });
}

function gemm(n: NodeContext, w: Walk): void {
  n.onlyAttrs('alpha', 'beta', 'transA', 'transB');
  if ((n.attrs.get('alpha')?.f ?? 1) !== 1 || (n.attrs.get('beta')?.f ?? 1) !== 1 || n.int('transA')) n.fail('expected alpha 1, beta 1, transA 0');
  const a = n.input(0, 'A'), b = n.input(1, 'B'), c = n.inputs[2];
  if (a.kind !== 'final' && a.kind !== 'flatSteps') n.fail(`A is ${describe(a)}, expected final-state features (B,F) or flattened per-step features`);
  if (b.kind !== 'const' || b.t.type !== 'float' || b.t.dims.length !== 2) n.fail(`B is ${describe(b)}, expected a float weight`);
  const t = b.t;
  const transB = n.int('transB') === 1;
  const [C, F] = transB ? t.dims : [t.dims[1], t.dims[0]];
  if (a.kind === 'flatSteps' && a.width !== F) n.fail(`weight reads ${F} features, the flattened features have width ${a.width}`);
  const headW = new Float32Array(C * F);
  for (let ci = 0; ci < C; ci++) for (let f = 0; f < F; f++) headW[ci * F + f] = transB ? t.data[ci * F + f] : t.data[f * C + ci];
  let bias = new Float32Array(C);
  if (c) {
    if (c.kind !== 'const' || c.t.type !== 'float' || c.t.data.length !== C) n.fail(`C is ${describe(c)}, expected a float bias of ${C} values`);
    bias = Float32Array.from(c.t.data);
  }
  if (w.head) n.fail('a second dense head (expected one)');
  w.head = { weight: headW, bias, C, F, features: a };
  n.set({ kind: 'logits', features: a, biased: true });
}

/** Softmax, LogSoftmax, Sigmoid on the logits: the head kind. */
function activation(n: NodeContext): void {
  const x = n.input(0, 'input');
  if (x.kind !== 'logits') n.fail(`expected the head's logits, got ${describe(x)}`);
  const axis = n.int('axis') ?? -1;
  const lastAxis = x.features.kind === 'steps' ? 2 : 1;
  if (n.op !== 'Sigmoid' && axis !== -1 && axis !== lastAxis) n.fail(`axis ${axis}, expected the class axis (-1)`);
  n.set({ kind: 'probs', head: n.op === 'Sigmoid' ? 'sigmoid' : 'softmax', features: x.features });
}

/** The ops recognised (foldable ones on constants are folded first, see constFold.ts), in the order errors list them. */
const opHandlers = new Map<string, OpHandler>([
  ['Constant', constant], ['Identity', identity], ['Dropout', dropout], ['Cast', cast], ['Shape', shape],
  ['Gather', gather], ['OneHot', oneHot], ['Unsqueeze', unsqueeze], ['Squeeze', squeeze], ['Concat', concat],
  ['ConstantOfShape', constantOfShape], ['Expand', expand], ['Slice', slice], ['Transpose', transpose], ['Reshape', reshape],
  ['RNN', recurrent], ['GRU', recurrent], ['LSTM', recurrent],
  ['MatMul', matMul], ['Add', add], ['Gemm', gemm],
  ['Softmax', activation], ['LogSoftmax', activation], ['Sigmoid', activation],
]);
const supportedOps = [...opHandlers.keys()].join(', ');

/** The nodes the graph's first output depends on: only these are interpreted (state outputs and probabilities are not needed). */
function coneOfFirstOutput(graph: OnnxTypes.IGraphProto, producer: ReadonlyMap<string, OnnxTypes.INodeProto>): Set<OnnxTypes.INodeProto> {
  const needed = new Set<OnnxTypes.INodeProto>();
  const stack = [graph.output![0].name ?? ''];
  while (stack.length > 0) {
    const n = producer.get(stack.pop()!);
    if (!n || needed.has(n)) continue;
    needed.add(n);
    for (const i of n.input ?? []) if (i) stack.push(i);
  }
  return needed;
}

/** Initializers as constants, the integer graph input as the token ids, float graph inputs as initial states; returns the ids input's name. */
function readGraphInputs(graph: OnnxTypes.IGraphProto, values: Map<string, Sym>, budget: ImportBudget): string {
  for (const t of graph.initializer ?? []) values.set(t.name ?? '', { kind: 'const', t: readTensor(t, `initializer "${t.name}"`, budget) });
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
  return idsInput;
}

/** Evaluates the nodes that the graph's first output depends on and returns what they build; `budget` caps what they allocate. */
export function recogniseGraph(graph: OnnxTypes.IGraphProto, budget = new ImportBudget()): FoundModel {
  const nodes = graph.node ?? [];
  if ((graph.output ?? []).length === 0) throw new Error('graph: no outputs (expected logits as the first output)');
  const producer = new Map<string, OnnxTypes.INodeProto>();
  for (const n of nodes) for (const o of n.output ?? []) if (o) producer.set(o, n);
  const needed = coneOfFirstOutput(graph, producer);

  const walk: Walk = { values: new Map(), layers: [], time: null, table: null, head: null, budget };
  const idsInput = readGraphInputs(graph, walk.values, budget);
  for (const node of nodes) {
    if (!needed.has(node)) continue;
    const n = new NodeContext(node, walk);
    if (foldIfConstant(n, walk)) continue;
    const handle = opHandlers.get(n.op) ?? n.fail(`unsupported op (expected one of: ${supportedOps})`);
    handle(n, walk);
  }
  return assemble(graph, walk, producer, idsInput);
}

/** Checks that the walk found one whole model (lookup, layers, head on the last layer) and describes it. */
function assemble(graph: OnnxTypes.IGraphProto, walk: Walk, producer: ReadonlyMap<string, OnnxTypes.INodeProto>, idsInput: string): FoundModel {
  const { layers, time } = walk;
  const first = graph.output![0].name ?? '';
  const result = walk.values.get(first) ?? (() => { throw new Error(`graph output "${first}" is not produced by any node`); })();
  if (result.kind !== 'logits' && result.kind !== 'probs') {
    throw new Error(`graph output "${first}" is ${describe(result)}; expected the logits (or probabilities) of a dense head on recurrent layers`);
  }
  if (!walk.table) throw new Error('graph: no embedding lookup (expected Gather(table, token ids) feeding the first recurrent node)');
  if (layers.length === 0 || time === null) throw new Error('graph: no RNN, GRU or LSTM node on the path to the output');
  if (!walk.head) throw new Error('graph: no dense head (expected MatMul + Add or Gemm)');
  const found = walk.head, lookup = walk.table;
  const last = layers.length - 1, D = layers[last].directions, F = D * layers[last].hidden;
  if (found.F !== F) throw new Error(`head: reads ${found.F} features, the last layer gives ${F} (D*H)`);
  const features = found.features;
  let logitsAxes: Axes | null = null;
  if (features.kind === 'steps' || features.kind === 'flatSteps') {
    if (features.from !== last) throw new Error(`head: reads ${describe(features)}, expected the last layer's output`);
    logitsAxes = features.axes;
  } else if (features.kind === 'final') {
    const expected = allDirections(last, D).map((p) => `${p.layer}:${p.dir}`).join(',');
    const got = features.parts.map((p) => `${p.layer}:${p.dir}`).join(',');
    if (got !== expected) {
      throw new Error(`head: reads final states [${got}] (layer:direction), expected the last layer's, in direction order [${expected}]`);
    }
  }
  return {
    vocabSize: lookup.V, table: lookup.data, embedWidth: lookup.E, layers,
    headW: found.weight, headB: found.bias, outputs: found.C, manyToOne: features.kind === 'final',
    headKind: headKindOf(graph.node ?? [], result, first),
    idsBatchFirst: time !== 'a', logitsBatchFirst: logitsAxes !== null && logitsAxes[0] !== time, idsInput,
    firstOutput: { name: first, op: result.kind === 'probs' ? producer.get(first)?.opType ?? null : null },
  };
}

/** softmax or sigmoid: from the first output, else from a probabilities output elsewhere (RNN Lab exports add one). */
function headKindOf(nodes: readonly OnnxTypes.INodeProto[], result: Sym, first: string): 'softmax' | 'sigmoid' | null {
  if (result.kind === 'probs') return result.head;
  for (const n of nodes) {
    if (n.input?.[0] !== first) continue;
    if (n.opType === 'Softmax' || n.opType === 'LogSoftmax') return 'softmax';
    if (n.opType === 'Sigmoid') return 'sigmoid';
  }
  return null;
}
