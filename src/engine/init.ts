// Parameter initialisation as PyTorch does by default, walking paramLayout(spec) in buffer order so
// the same seed fills the same numbers:
//   embedding (V, E)                   N(0, 1)                                   (nn.Embedding)
//   layer{l}.W, .R, .B                 U(-1/√H, 1/√H)                            (nn.RNN/GRU/LSTM)
//   layer{l}.P (D, 3*H) peepholes      0 by default (a peephole LSTM starts as a plain one;
//                                      PyTorch has none), or U(-1/√H, 1/√H)
//   head.W (C, D*H), head.b (C)        U(-1/√fan_in, 1/√fan_in), fan_in = D*H  (nn.Linear: kaiming
//                                      uniform with a = √5 gives exactly this bound)
// Option: orthogonal recurrent weights, each (H, H) gate block of R orthogonalised separately as
// torch.nn.init.orthogonal_ does (QR of a N(0, 1) matrix, columns signed so diag(R) > 0; here by
// modified Gram-Schmidt, which gives the same Q).
// Option: an LSTM forget-gate bias. B (D, 2*G*H) = [Wb; Rb] per direction, gates in ONNX order
// i, o, f, c: Wb's f block [2H, 3H) is set to forgetBias after the uniform fill (Rb keeps its draw,
// and the random stream is the same as without the option), so Γ_f = σ(… + b_f) starts open.

import { directions, featureSize, gateCount, paramLayout, type ModelSpec, type ParamEntry } from './spec';
import type { Rng } from './rng';
import type { Vec } from './tensor';

export interface InitOptions {
  readonly recurrent?: 'uniform' | 'orthogonal'; // R; default uniform (PyTorch)
  readonly peephole?: 'zero' | 'uniform';        // P; default zero
  readonly forgetBias?: number;                  // lstm: Wb's forget block; default 0 (a uniform draw kept)
}

/** Fills params (the flat buffer of paramLayout(spec)) in place. */
export function initParams(spec: ModelSpec, params: Vec, rng: Rng, options: InitOptions = {}): void {
  const layout = paramLayout(spec);
  const end = layout[layout.length - 1].offset + layout[layout.length - 1].size;
  if (params.length !== end) throw new Error(`initParams: params has ${params.length} values, the layout of this spec needs ${end}`);
  const recurrentBound = 1 / Math.sqrt(spec.hidden);
  const headBound = 1 / Math.sqrt(featureSize(spec));
  for (const entry of layout) {
    const kind = entry.name.slice(entry.name.indexOf('.') + 1);
    if (entry.name === 'embedding') fillNormal(params, entry, rng);
    else if (entry.name.startsWith('head.')) fillUniform(params, entry, headBound, rng);
    else if (kind === 'P' && (options.peephole ?? 'zero') === 'zero') params.fill(0, entry.offset, entry.offset + entry.size);
    else if (kind === 'R' && options.recurrent === 'orthogonal') fillOrthogonalBlocks(params, entry, spec, rng);
    else fillUniform(params, entry, recurrentBound, rng);
    if (kind === 'B' && spec.cell === 'lstm' && options.forgetBias) setForgetBias(params, entry, spec, options.forgetBias);
  }
}

/** B (D, 2*G*H): Wb's f block (gate 2 of i, o, f, c) of every direction becomes `value`. */
function setForgetBias(params: Vec, entry: ParamEntry, spec: ModelSpec, value: number): void {
  const H = spec.hidden, G = gateCount(spec.cell);
  for (let d = 0; d < directions(spec); d++) {
    const from = entry.offset + d * 2 * G * H + 2 * H;
    params.fill(value, from, from + H);
  }
}

function fillUniform(params: Vec, entry: ParamEntry, bound: number, rng: Rng): void {
  for (let i = entry.offset; i < entry.offset + entry.size; i++) params[i] = rng.uniformIn(-bound, bound);
}

function fillNormal(params: Vec, entry: ParamEntry, rng: Rng): void {
  for (let i = entry.offset; i < entry.offset + entry.size; i++) params[i] = rng.normal();
}

/** R (D, G*H, H): each of the D*G blocks (H, H) becomes an orthogonal matrix. */
function fillOrthogonalBlocks(params: Vec, entry: ParamEntry, spec: ModelSpec, rng: Rng): void {
  const H = spec.hidden;
  const blocks = directions(spec) * gateCount(spec.cell);
  const q = new Float64Array(H * H); // scratch (H, H), row-major; init-time only
  for (let b = 0; b < blocks; b++) {
    for (let i = 0; i < H * H; i++) q[i] = rng.normal();
    orthonormalizeColumns(q, H);
    const offset = entry.offset + b * H * H;
    for (let i = 0; i < H * H; i++) params[offset + i] = q[i];
  }
}

/**
 * Modified Gram-Schmidt on the columns of a (n, n) row-major matrix, in place, done twice for
 * numerical orthogonality. The result is the Q of A = QR with diag(R) > 0 (torch's sign fix).
 */
export function orthonormalizeColumns(a: Float64Array, n: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < n; j++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let r = 0; r < n; r++) dot += a[r * n + k] * a[r * n + j];
        for (let r = 0; r < n; r++) a[r * n + j] -= dot * a[r * n + k];
      }
      let norm = 0;
      for (let r = 0; r < n; r++) norm += a[r * n + j] * a[r * n + j];
      norm = Math.sqrt(norm);
      if (norm === 0) throw new Error(`orthonormalizeColumns: column ${j} is linearly dependent on the previous ones`);
      for (let r = 0; r < n; r++) a[r * n + j] /= norm;
    }
  }
}
