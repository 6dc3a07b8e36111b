// Optimizers, schedules and clipping against PyTorch 1.13 (test/fixtures/torch/optim.json, written
// by scripts/fixtures/torch_optim.py), plus state export/import continuing exactly.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { createOptimizer, type OptimizerConfig } from '../../../src/engine/optim';
import { learningRate, validateSchedule, type ScheduleConfig } from '../../../src/engine/schedule';
import { ClipCounter, clipGradNorm, clipGradValue } from '../../../src/engine/clip';
import { vecFrom } from '../../../src/engine/tensor';

interface TorchOptimCase {
  name: string; kind: string; options: Record<string, number | boolean | number[]>;
  params0: number[]; grads: number[][]; lrs: number[]; params: number[][];
}
interface Fixture {
  version: number;
  optimizers: TorchOptimCase[];
  schedules: { name: string; config: ScheduleConfig; lrs: number[] }[];
  clips: { name: string; grads: number[]; maxNorm: number | null; clipValue: number | null; norm: number | null; clipped: number[] }[];
}

const fixturePath = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'torch', 'optim.json');
const fixture: Fixture = JSON.parse(fs.readFileSync(fixturePath, 'utf8'));

/** torch's class name and keyword arguments → our config. */
function configOf(c: TorchOptimCase): OptimizerConfig {
  const o = c.options as Record<string, never>;
  const betas = (o.betas as number[] | undefined) ?? [];
  switch (c.kind) {
    case 'SGD': return { kind: 'sgd', momentum: o.momentum, dampening: o.dampening, nesterov: o.nesterov, weightDecay: o.weight_decay };
    case 'Adam': case 'AdamW':
      return { kind: c.kind === 'Adam' ? 'adam' : 'adamw', beta1: betas[0], beta2: betas[1], eps: o.eps, weightDecay: o.weight_decay, amsgrad: o.amsgrad };
    case 'RMSprop': return { kind: 'rmsprop', alpha: o.alpha, eps: o.eps, momentum: o.momentum, centered: o.centered, weightDecay: o.weight_decay };
    case 'Adagrad': return { kind: 'adagrad', lrDecay: o.lr_decay, weightDecay: o.weight_decay, initialAccumulator: o.initial_accumulator_value };
    default: throw new Error(`optim.json: unknown torch optimizer ${c.kind}`);
  }
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
};

describe('engine-train/optim against PyTorch', () => {
  it('fixture is version 1', () => assert.equal(fixture.version, 1));

  for (const c of fixture.optimizers) {
    for (const [dtype, tolerance] of [['f64', 1e-12], ['f32', 1e-6]] as const) {
      it(`${c.name} (${dtype}): parameters after each of ${c.grads.length} steps match torch within ${tolerance}`, () => {
        const params = vecFrom(dtype, c.params0);
        const grads = vecFrom(dtype, c.params0.map(() => 0));
        const optimizer = createOptimizer(configOf(c), params, grads);
        c.grads.forEach((g, k) => {
          grads.set(g);
          optimizer.step(c.lrs[k]);
          // float32 rounds params every step (measured worst 3e-7); the update is computed in double
          const diff = maxAbsDiff(params, c.params[k]);
          assert.ok(diff < tolerance, `step ${k}: max |Δ| = ${diff}`);
          assert.deepEqual([...grads], dtype === 'f64' ? g : [...vecFrom('f32', g)], 'step() must not touch grads');
        });
        assert.equal(optimizer.stepCount, c.grads.length);
      });
    }

    it(`${c.name}: exportState/importState mid-run continues exactly`, () => {
      const run = (splitAt: number | null): number[] => {
        const params = vecFrom('f64', c.params0);
        const grads = vecFrom('f64', c.params0.map(() => 0));
        let optimizer = createOptimizer(configOf(c), params, grads);
        c.grads.forEach((g, k) => {
          if (k === splitAt) {
            const saved = optimizer.exportState();
            optimizer = createOptimizer(configOf(c), params, grads);
            optimizer.importState(saved);
          }
          grads.set(g);
          optimizer.step(c.lrs[k]);
        });
        return [...params];
      };
      assert.deepEqual(run(3), run(null));
    });
  }

  it('importState rejects a state of another optimizer or size', () => {
    const p = vecFrom('f64', [1, 2, 3]), g = vecFrom('f64', [0, 0, 0]);
    const adamState = createOptimizer({ kind: 'adam' }, p, g).exportState();
    assert.throws(() => createOptimizer({ kind: 'sgd', momentum: 0.9 }, p, g).importState(adamState), /state is for adam, expected sgd/);
    assert.throws(() => createOptimizer({ kind: 'adam', amsgrad: true }, p, g).importState(adamState), /buffers \[m,v\] do not match/);
    const small = createOptimizer({ kind: 'adam' }, vecFrom('f64', [1]), vecFrom('f64', [0])).exportState();
    assert.throws(() => createOptimizer({ kind: 'adam' }, p, g).importState(small), /buffer m has 1 values, expected 3/);
  });

  const badConfigs: [OptimizerConfig, RegExp][] = [
    [{ kind: 'sgd', momentum: 1.5 }, /sgd: momentum must be in \[0, 1\)/],
    [{ kind: 'sgd', nesterov: true }, /nesterov needs momentum > 0/],
    [{ kind: 'adam', beta2: 1 }, /adam: beta2 must be in \[0, 1\)/],
    [{ kind: 'rmsprop', alpha: -0.1 }, /rmsprop: alpha/],
    [{ kind: 'adagrad', eps: Number.NaN }, /adagrad: eps must be ≥ 0, got NaN/],
  ];
  for (const [config, message] of badConfigs) {
    it(`rejects ${JSON.stringify(config)}`, () => {
      assert.throws(() => createOptimizer(config, vecFrom('f64', [1]), vecFrom('f64', [0])), message);
    });
  }
});

describe('engine-train/schedule', () => {
  for (const s of fixture.schedules) {
    it(`${s.name}: lr at steps 0..${s.lrs.length - 1} matches torch's scheduler`, () => {
      validateSchedule(s.config);
      s.lrs.forEach((lr, step) => assert.ok(Math.abs(learningRate(s.config, step) - lr) < 1e-12, `step ${step}: ${learningRate(s.config, step)} vs ${lr}`));
    });
  }

  const known: [string, ScheduleConfig, [number, number][]][] = [
    ['warm-up then cosine', { kind: 'cosine', baseLr: 1, warmupSteps: 2, totalSteps: 6, minLr: 0 },
      [[0, 0.5], [1, 1], [2, 1], [3, 0.8535533905932737], [4, 0.5], [6, 0], [100, 0]]],
    ['warm-up then step', { kind: 'step', baseLr: 0.4, warmupSteps: 4, stepSize: 2, gamma: 0.5 },
      [[0, 0.1], [3, 0.4], [4, 0.4], [5, 0.4], [6, 0.2], [8, 0.1]]],
    ['constant', { kind: 'constant', baseLr: 0.003 }, [[0, 0.003], [1e6, 0.003]]],
  ];
  for (const [name, config, points] of known) {
    it(`${name}: known values`, () => {
      validateSchedule(config);
      for (const [step, lr] of points) assert.ok(Math.abs(learningRate(config, step) - lr) < 1e-12, `step ${step}`);
    });
  }

  const bad: [ScheduleConfig, RegExp][] = [
    [{ kind: 'step', baseLr: 0.1 }, /stepSize must be an integer ≥ 1/],
    [{ kind: 'cosine', baseLr: 0.1, warmupSteps: 10, totalSteps: 10 }, /totalSteps must be an integer > warmupSteps \(10\)/],
    [{ kind: 'constant', baseLr: -1 }, /baseLr must be a finite number ≥ 0/],
  ];
  for (const [config, message] of bad) {
    it(`rejects ${JSON.stringify(config)}`, () => assert.throws(() => validateSchedule(config), message));
  }
});

describe('engine-train/clip', () => {
  for (const c of fixture.clips) {
    it(`${c.name}: matches torch.nn.utils`, () => {
      const g = vecFrom('f64', c.grads);
      const result = c.maxNorm !== null ? clipGradNorm(g, c.maxNorm) : clipGradValue(g, c.clipValue as number);
      if (c.norm !== null) assert.ok(Math.abs(result.norm - c.norm) < 1e-12);
      assert.ok(maxAbsDiff(g, c.clipped) < 1e-12);
      assert.equal(result.clipped, maxAbsDiff(c.grads, c.clipped) > 0);
    });
  }

  it('ClipCounter counts how often it clipped', () => {
    const counter = new ClipCounter();
    for (const maxNorm of [1, 10, 1, 100]) counter.record(clipGradNorm(vecFrom('f32', [3, 4]), maxNorm));
    assert.deepEqual([counter.steps, counter.clipped, counter.rate], [4, 2, 0.5]);
  });

  it('a non-finite norm is reported and the gradients are left as they are', () => {
    const g = vecFrom('f64', [1, Number.POSITIVE_INFINITY]);
    assert.deepEqual(clipGradNorm(g, 1), { norm: Number.POSITIVE_INFINITY, clipped: false });
    assert.equal(g[0], 1);
  });
});
