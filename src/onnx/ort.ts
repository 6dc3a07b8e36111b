// The onnxruntime backend: predict over a batch and step one token at a time (the sampler's StepModel),
// through onnxruntime-node's synchronous native session. The package is required on first use only.
//
// T = time, B = batch, L = layers, D = directions, H = hidden, C = head outputs.
// Any recognised model (RNN Lab's or torch.onnx.export's) is first rewritten by exportModel into the
// canonical graph (tokens, state_h[, state_c] → logits, state_h_out[, state_c_out]): the weights are
// the file's, and carrying the state through inputs and outputs makes stepping possible.
import { readFileSync } from 'node:fs';
import { directions, type ModelSpec } from '../engine/spec';
import { exportModel, IO } from './export';
import { importModel } from './import';

/** Tensors as the native binding takes and returns them (onnxruntime-common's Tensor fits). */
interface NativeTensor { readonly type: string; readonly data: unknown; readonly dims: readonly number[] }
type TensorCtor = new (type: string, data: Float32Array | BigInt64Array | Int32Array, dims: readonly number[]) => NativeTensor;

/**
 * onnxruntime-node's native InferenceSession (dist/binding): synchronous run. The public
 * InferenceSession.run only wraps it in a Promise, and the sampler's StepModel is synchronous; the
 * module is internal to onnxruntime-node, which package.json pins to 1.30.0 for that reason.
 */
interface NativeSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: object): void;
  run(feeds: Record<string, NativeTensor>, fetches: Record<string, null>, options: object): Record<string, NativeTensor>;
  dispose(): void;
}
interface Runtime { readonly Tensor: TensorCtor; readonly createSession: () => NativeSession }

let runtime: Runtime | null = null;

/** Loads onnxruntime-node (once) and wraps its untyped native module. */
function loadRuntime(): Runtime {
  if (runtime) return runtime;
  let ort: { Tensor: TensorCtor };
  let native: { binding: { InferenceSession: new () => NativeSession }; initOrt: () => void };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ort = require('onnxruntime-node');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    native = require('onnxruntime-node/dist/binding');
  } catch (err) {
    throw new Error(`onnxruntime-node could not be loaded (${(err as Error).message}); use the engine backend instead`);
  }
  native.initOrt();
  runtime = { Tensor: ort.Tensor, createSession: () => new native.binding.InferenceSession() };
  return runtime;
}

/** A loaded onnxruntime session, synchronous: feeds by input name, returns the fetched outputs. */
export interface OrtSession {
  run(feeds: Record<string, { type: 'int64' | 'int32' | 'float32'; data: BigInt64Array | Int32Array | Float32Array; dims: readonly number[] }>,
    fetch: readonly string[]): Record<string, Float32Array>;
  dispose(): void;
}

/** Loads model bytes into a native session (onnxruntime-node required on first use); `name` labels errors. */
export function createOrtSession(bytes: Uint8Array, name: string): OrtSession {
  const { Tensor, createSession } = loadRuntime();
  const session = createSession();
  try {
    session.loadModel(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength, {});
  } catch (err) {
    throw new Error(`${name}: onnxruntime could not load the model: ${(err as Error).message}`);
  }
  let disposed = false;
  return {
    run(feeds, fetch) {
      if (disposed) throw new Error(`${name}: the onnxruntime session was disposed`);
      const native: Record<string, NativeTensor> = {};
      for (const [key, t] of Object.entries(feeds)) native[key] = new Tensor(t.type, t.data as Float32Array, t.dims);
      const fetches: Record<string, null> = {};
      for (const key of fetch) fetches[key] = null;
      const out = session.run(native, fetches, {});
      const result: Record<string, Float32Array> = {};
      for (const key of fetch) result[key] = out[key].data as Float32Array;
      return result;
    },
    dispose() {
      if (!disposed) session.dispose();
      disposed = true;
    },
  };
}

/** Hidden (and lstm cell) state of every layer and direction for one sequence: (L, D, 1, H). */
export interface OrtState {
  readonly h: Float32Array;
  readonly c: Float32Array | null;
}

export interface OrtModel {
  readonly spec: ModelSpec;
  readonly metadata: Record<string, string>;
  readonly warnings: string[];
  /** Logits (T, B, C), or (B, C) for a many-to-one model, of time-major tokens (T, B). */
  predict(tokens: Int32Array, T: number, B: number): Float32Array;
  /** A zero state for stepping. */
  initialState(): OrtState;
  /** One step of batch 1: updates state in place, returns the logits (C). */
  step(token: number, state: OrtState): Float32Array;
  /** Steps over tokens (T) at batch 1 in one run: updates state in place, returns the logits (T, C). */
  window(tokens: Int32Array, state: OrtState): Float32Array;
  dispose(): void;
}

/** Opens an .onnx file (path) or bytes for inference through onnxruntime. */
export function openOrtSession(source: string | Uint8Array): OrtModel {
  const name = typeof source === 'string' ? source : 'model.onnx';
  const bytes = typeof source === 'string' ? readFileSync(source) : source;
  const imported = importModel(bytes, name);
  const { spec } = imported;
  const canonical = exportModel(spec, imported.params, imported.metadata);
  const { Tensor, createSession } = loadRuntime();
  const session = createSession();
  try {
    session.loadModel(canonical.buffer as ArrayBuffer, canonical.byteOffset, canonical.byteLength, {});
  } catch (err) {
    throw new Error(`${name}: onnxruntime could not load the model: ${(err as Error).message}`);
  }
  const L = spec.layers, D = directions(spec), H = spec.hidden, C = spec.outputs, V = spec.vocabSize;
  const lstm = spec.cell === 'lstm';
  const fetches: Record<string, null> = { [IO.logits]: null, [IO.stateHOut]: null, ...(lstm ? { [IO.stateCOut]: null } : {}) };
  let disposed = false;

  const run = (tokens: BigInt64Array, T: number, B: number, h: Float32Array, c: Float32Array | null) => {
    if (disposed) throw new Error(`${name}: the onnxruntime session was disposed`);
    const stateDims = [L, D, B, H];
    const feeds: Record<string, NativeTensor> = {
      [IO.tokens]: new Tensor('int64', tokens, [T, B]),
      [IO.stateH]: new Tensor('float32', h, stateDims),
    };
    if (lstm) feeds[IO.stateC] = new Tensor('float32', c!, stateDims);
    const out = session.run(feeds, fetches, {});
    const data = (key: string) => out[key].data as Float32Array;
    return { logits: data(IO.logits), h: data(IO.stateHOut), c: lstm ? data(IO.stateCOut) : null };
  };
  const checkToken = (token: number, where: string) => {
    if (!(Number.isInteger(token) && token >= 0 && token < V)) throw new Error(`ort ${where}: token ${token} is outside the vocabulary 0..${V - 1}`);
  };
  const stepTokens = new BigInt64Array(1);

  return {
    spec,
    metadata: imported.metadata,
    warnings: imported.warnings,
    predict(tokens, T, B) {
      if (tokens.length !== T * B) throw new Error(`ort predict: tokens has ${tokens.length} ids, expected T*B = ${T * B} (time-major)`);
      const ids = new BigInt64Array(T * B);
      tokens.forEach((t, i) => { checkToken(t, `predict at t=${Math.floor(i / B)}, b=${i % B}`); ids[i] = BigInt(t); });
      const zeros = new Float32Array(L * D * B * H);
      return Float32Array.from(run(ids, T, B, zeros, lstm ? zeros : null).logits);
    },
    initialState() {
      return { h: new Float32Array(L * D * H), c: lstm ? new Float32Array(L * D * H) : null };
    },
    step(token, state) {
      checkToken(token, 'step');
      stepTokens[0] = BigInt(token);
      const out = run(stepTokens, 1, 1, state.h, state.c);
      state.h.set(out.h);
      if (state.c && out.c) state.c.set(out.c);
      return out.logits.subarray(0, C);
    },
    window(tokens, state) {
      const ids = new BigInt64Array(tokens.length);
      tokens.forEach((t, i) => { checkToken(t, `window at t=${i}`); ids[i] = BigInt(t); });
      const out = run(ids, tokens.length, 1, state.h, state.c);
      state.h.set(out.h);
      if (state.c && out.c) state.c.set(out.c);
      return out.logits;
    },
    dispose() {
      if (!disposed) session.dispose();
      disposed = true;
    },
  };
}
