// Optimizers over the flat parameter buffer: SGD (momentum, Nesterov), Adam, AdamW, RMSProp,
// Adagrad, with PyTorch 1.13's update formulas term for term (checked against torch in
// test/fixtures/torch/optim.json). N = number of parameters; params, grads and every state buffer
// are (N), the state allocated through allocVec in the params' dtype.
//
// step(lr) reads grads and updates params in place; it never zeroes grads (the model's zeroGrads()
// does, before the next backward, because backward accumulates with +=). The lr comes with every
// step, as torch reads group['lr'] at each step, so a schedule drives it from outside.

import { kernels } from './kernels';
import { allocVec, dtypeOf, vecFrom, type Vec } from './tensor';

export type OptimizerConfig =
  | { readonly kind: 'sgd'; readonly momentum?: number; readonly dampening?: number; readonly nesterov?: boolean; readonly weightDecay?: number }
  | { readonly kind: 'adam' | 'adamw'; readonly beta1?: number; readonly beta2?: number; readonly eps?: number; readonly weightDecay?: number; readonly amsgrad?: boolean }
  | { readonly kind: 'rmsprop'; readonly alpha?: number; readonly eps?: number; readonly momentum?: number; readonly centered?: boolean; readonly weightDecay?: number }
  | { readonly kind: 'adagrad'; readonly lrDecay?: number; readonly eps?: number; readonly weightDecay?: number; readonly initialAccumulator?: number };

export type OptimizerKind = OptimizerConfig['kind'];

/** What a checkpoint keeps: the update count and each state buffer by name (copies). */
export interface OptimizerState {
  readonly kind: OptimizerKind;
  readonly stepCount: number;
  readonly buffers: Readonly<Record<string, Vec>>;
}

export interface Optimizer {
  readonly config: OptimizerConfig;
  /** Updates done so far (torch's state['step']). */
  readonly stepCount: number;
  /** params -= update(grads, state) at learning rate lr; grads are read, not cleared. */
  step(lr: number): void;
  exportState(): OptimizerState;
  importState(state: OptimizerState): void;
}

/** Binds an optimizer to a model's params and grads (N), which must have the same length and type. */
export function createOptimizer(config: OptimizerConfig, params: Vec, grads: Vec): Optimizer {
  if (params.length !== grads.length || dtypeOf(params) !== dtypeOf(grads)) {
    throw new Error(`createOptimizer: params (${dtypeOf(params)}, ${params.length}) and grads (${dtypeOf(grads)}, ${grads.length}) must match in type and length`);
  }
  switch (config.kind) {
    case 'sgd': return new Sgd(config, params, grads);
    case 'adam':
    case 'adamw': return new Adam(config, params, grads);
    case 'rmsprop': return new RmsProp(config, params, grads);
    case 'adagrad': return new Adagrad(config, params, grads);
    default: {
      const unknown: never = config;
      throw new Error(`createOptimizer: unknown kind ${JSON.stringify((unknown as { kind: unknown }).kind)}, expected sgd | adam | adamw | rmsprop | adagrad`);
    }
  }
}

function checkHyper(kind: string, name: string, value: number, ok: boolean, expected: string): void {
  if (!ok || !Number.isFinite(value)) throw new Error(`optimizer ${kind}: ${name} must be ${expected}, got ${value}`);
}

/** Shared bookkeeping: named state buffers (N each), the step count, export/import. */
abstract class BufferedOptimizer<C extends OptimizerConfig> implements Optimizer {
  stepCount = 0;
  protected readonly buffers: Record<string, Vec> = {};

  constructor(readonly config: C, protected readonly params: Vec, protected readonly grads: Vec) {}

  protected buffer(name: string, fill = 0): Vec {
    const v = allocVec(dtypeOf(this.params), this.params.length);
    if (fill !== 0) v.fill(fill);
    this.buffers[name] = v;
    return v;
  }

  abstract step(lr: number): void;

  exportState(): OptimizerState {
    const copies: Record<string, Vec> = {};
    for (const [name, v] of Object.entries(this.buffers)) copies[name] = vecFrom(dtypeOf(v), v);
    return { kind: this.config.kind, stepCount: this.stepCount, buffers: copies };
  }

  importState(state: OptimizerState): void {
    const where = `optimizer ${this.config.kind}: importState`;
    if (state.kind !== this.config.kind) throw new Error(`${where}: state is for ${state.kind}, expected ${this.config.kind}`);
    if (!Number.isInteger(state.stepCount) || state.stepCount < 0) throw new Error(`${where}: stepCount must be an integer ≥ 0, got ${state.stepCount}`);
    const expected = Object.keys(this.buffers).sort().join(',');
    const given = Object.keys(state.buffers).sort().join(',');
    if (expected !== given) throw new Error(`${where}: buffers [${given}] do not match [${expected}] (different options?)`);
    for (const [name, v] of Object.entries(this.buffers)) {
      const src = state.buffers[name];
      if (src.length !== v.length) throw new Error(`${where}: buffer ${name} has ${src.length} values, expected ${v.length}`);
      v.set(src);
    }
    this.stepCount = state.stepCount;
  }
}

/** torch.optim.SGD: g = grad + wd·p; buf = g (first step) or momentum·buf + (1-dampening)·g;
 *  update = nesterov ? g + momentum·buf : buf; p -= lr·update. */
class Sgd extends BufferedOptimizer<Extract<OptimizerConfig, { kind: 'sgd' }>> {
  private readonly momentum: number;
  private readonly dampening: number;
  private readonly nesterov: boolean;
  private readonly weightDecay: number;
  private readonly velocity: Vec | null; // (N) momentum buffer

  constructor(config: Extract<OptimizerConfig, { kind: 'sgd' }>, params: Vec, grads: Vec) {
    super(config, params, grads);
    this.momentum = config.momentum ?? 0;
    this.dampening = config.dampening ?? 0;
    this.nesterov = config.nesterov ?? false;
    this.weightDecay = config.weightDecay ?? 0;
    checkHyper('sgd', 'momentum', this.momentum, this.momentum >= 0 && this.momentum < 1, 'in [0, 1)');
    checkHyper('sgd', 'dampening', this.dampening, this.dampening >= 0 && this.dampening <= 1, 'in [0, 1]');
    checkHyper('sgd', 'weightDecay', this.weightDecay, this.weightDecay >= 0, '≥ 0');
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new Error('optimizer sgd: nesterov needs momentum > 0 and dampening = 0');
    }
    this.velocity = this.momentum > 0 ? this.buffer('velocity') : null;
  }

  step(lr: number): void {
    const { params: p, grads: g, momentum, dampening, nesterov, weightDecay, velocity: buf } = this;
    const first = this.stepCount === 0;
    for (let i = 0; i < p.length; i++) {
      let d = g[i] + weightDecay * p[i];
      if (buf !== null) {
        buf[i] = first ? d : momentum * buf[i] + (1 - dampening) * d;
        d = nesterov ? d + momentum * buf[i] : buf[i];
      }
      p[i] -= lr * d;
    }
    this.stepCount++;
  }
}

/** torch.optim.Adam / AdamW: m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²; (amsgrad: vMax = max(vMax, v));
 *  p -= (lr / (1-β1ᵗ)) · m / (√v / √(1-β2ᵗ) + eps). Adam adds wd·p to g (L2); AdamW first scales
 *  p by (1 - lr·wd) (decoupled decay, default wd 0.01). */
class Adam extends BufferedOptimizer<Extract<OptimizerConfig, { kind: 'adam' | 'adamw' }>> {
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly weightDecay: number;
  private readonly decoupled: boolean;
  private readonly m: Vec;              // (N) first moment
  private readonly v: Vec;              // (N) second moment
  private readonly vMax: Vec | null;    // (N) amsgrad's running max of v

  constructor(config: Extract<OptimizerConfig, { kind: 'adam' | 'adamw' }>, params: Vec, grads: Vec) {
    super(config, params, grads);
    const kind = config.kind;
    this.decoupled = kind === 'adamw';
    this.beta1 = config.beta1 ?? 0.9;
    this.beta2 = config.beta2 ?? 0.999;
    this.eps = config.eps ?? 1e-8;
    this.weightDecay = config.weightDecay ?? (this.decoupled ? 0.01 : 0);
    checkHyper(kind, 'beta1', this.beta1, this.beta1 >= 0 && this.beta1 < 1, 'in [0, 1)');
    checkHyper(kind, 'beta2', this.beta2, this.beta2 >= 0 && this.beta2 < 1, 'in [0, 1)');
    checkHyper(kind, 'eps', this.eps, this.eps >= 0, '≥ 0');
    checkHyper(kind, 'weightDecay', this.weightDecay, this.weightDecay >= 0, '≥ 0');
    this.m = this.buffer('m');
    this.v = this.buffer('v');
    this.vMax = config.amsgrad ? this.buffer('vMax') : null;
  }

  step(lr: number): void {
    const { params: p, grads: g, beta1, beta2, eps, m, v, vMax } = this;
    const t = ++this.stepCount;
    const stepSize = lr / (1 - Math.pow(beta1, t));
    const bias2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
    const l2 = this.decoupled ? 0 : this.weightDecay;
    const shrink = this.decoupled ? 1 - lr * this.weightDecay : 1;
    if (vMax === null) {
      kernels.adamUpdate(p.length, p, g, m, v, { beta1, beta2, eps, stepSize, bias2Sqrt, l2, shrink });
      return;
    }
    for (let i = 0; i < p.length; i++) {
      if (shrink !== 1) p[i] *= shrink;
      const gi = g[i] + l2 * p[i];
      m[i] = beta1 * m[i] + (1 - beta1) * gi;
      v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
      let second = v[i];
      if (vMax !== null) second = vMax[i] = Math.max(vMax[i], v[i]);
      p[i] -= (stepSize * m[i]) / (Math.sqrt(second) / bias2Sqrt + eps);
    }
  }
}

/** torch.optim.RMSprop: g = grad + wd·p; s = α·s + (1-α)·g²; centered: ḡ = α·ḡ + (1-α)·g,
 *  avg = √(s - ḡ²) + eps, else avg = √s + eps; momentum: buf = μ·buf + g/avg, p -= lr·buf;
 *  else p -= lr·g/avg. */
class RmsProp extends BufferedOptimizer<Extract<OptimizerConfig, { kind: 'rmsprop' }>> {
  private readonly alpha: number;
  private readonly eps: number;
  private readonly momentum: number;
  private readonly weightDecay: number;
  private readonly squareAvg: Vec;           // (N)
  private readonly gradAvg: Vec | null;      // (N) centered only
  private readonly velocity: Vec | null;     // (N) momentum only

  constructor(config: Extract<OptimizerConfig, { kind: 'rmsprop' }>, params: Vec, grads: Vec) {
    super(config, params, grads);
    this.alpha = config.alpha ?? 0.99;
    this.eps = config.eps ?? 1e-8;
    this.momentum = config.momentum ?? 0;
    this.weightDecay = config.weightDecay ?? 0;
    checkHyper('rmsprop', 'alpha', this.alpha, this.alpha >= 0 && this.alpha < 1, 'in [0, 1)');
    checkHyper('rmsprop', 'eps', this.eps, this.eps >= 0, '≥ 0');
    checkHyper('rmsprop', 'momentum', this.momentum, this.momentum >= 0 && this.momentum < 1, 'in [0, 1)');
    checkHyper('rmsprop', 'weightDecay', this.weightDecay, this.weightDecay >= 0, '≥ 0');
    this.squareAvg = this.buffer('squareAvg');
    this.gradAvg = config.centered ? this.buffer('gradAvg') : null;
    this.velocity = this.momentum > 0 ? this.buffer('velocity') : null;
  }

  step(lr: number): void {
    const { params: p, grads: g, alpha, eps, momentum, weightDecay, squareAvg: s, gradAvg, velocity: buf } = this;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] + weightDecay * p[i];
      s[i] = alpha * s[i] + (1 - alpha) * gi * gi;
      let avg: number;
      if (gradAvg !== null) {
        gradAvg[i] = alpha * gradAvg[i] + (1 - alpha) * gi;
        avg = Math.sqrt(s[i] - gradAvg[i] * gradAvg[i]) + eps;
      } else {
        avg = Math.sqrt(s[i]) + eps;
      }
      if (buf !== null) {
        buf[i] = momentum * buf[i] + gi / avg;
        p[i] -= lr * buf[i];
      } else {
        p[i] -= (lr * gi) / avg;
      }
    }
    this.stepCount++;
  }
}

/** torch.optim.Adagrad: g = grad + wd·p; clr = lr / (1 + (t-1)·lrDecay); sum += g²;
 *  p -= clr · g / (√sum + eps); eps default 1e-10; sum starts at initialAccumulator. */
class Adagrad extends BufferedOptimizer<Extract<OptimizerConfig, { kind: 'adagrad' }>> {
  private readonly lrDecay: number;
  private readonly eps: number;
  private readonly weightDecay: number;
  private readonly sum: Vec; // (N) running sum of squared gradients

  constructor(config: Extract<OptimizerConfig, { kind: 'adagrad' }>, params: Vec, grads: Vec) {
    super(config, params, grads);
    this.lrDecay = config.lrDecay ?? 0;
    this.eps = config.eps ?? 1e-10;
    this.weightDecay = config.weightDecay ?? 0;
    const initial = config.initialAccumulator ?? 0;
    checkHyper('adagrad', 'lrDecay', this.lrDecay, this.lrDecay >= 0, '≥ 0');
    checkHyper('adagrad', 'eps', this.eps, this.eps >= 0, '≥ 0');
    checkHyper('adagrad', 'weightDecay', this.weightDecay, this.weightDecay >= 0, '≥ 0');
    checkHyper('adagrad', 'initialAccumulator', initial, initial >= 0, '≥ 0');
    this.sum = this.buffer('sum', initial);
  }

  step(lr: number): void {
    const { params: p, grads: g, eps, weightDecay, sum } = this;
    const t = ++this.stepCount;
    const clr = lr / (1 + (t - 1) * this.lrDecay);
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] + weightDecay * p[i];
      sum[i] += gi * gi;
      p[i] -= (clr * gi) / (Math.sqrt(sum[i]) + eps);
    }
  }
}
