// Whole training steps against PyTorch (test/fixtures/torch/train_*.json from
// scripts/fixtures/torch_train.py): same losses, gradient norms, lrs and final weights over several
// truncated-BPTT windows with clipping, an optimizer and a warm-up + cosine schedule, in float64.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { OptimizerConfig } from '../../../src/engine/optim';
import type { ScheduleConfig } from '../../../src/engine/schedule';
import { paramLayout, type ModelSpec } from '../../../src/engine/spec';
import { createTrainingSession, trainStep } from '../../../src/engine/train-step';

interface TrainFixture {
  version: number; name: string; spec: ModelSpec; T: number; B: number;
  optimizer: { kind: string; [option: string]: unknown }; schedule: ScheduleConfig; clipNorm: number;
  initialParams: Record<string, number[]>; windows: { tokens: number[]; targets: number[] }[];
  losses: number[]; gradNorms: number[]; lrs: number[]; finalParams: Record<string, number[]>;
}

const dir = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'torch');
const fixtures: TrainFixture[] = fs.readdirSync(dir).filter((f) => /^train_.*\.json$/.test(f)).sort()
  .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));

function optimizerOf(o: TrainFixture['optimizer']): OptimizerConfig {
  const n = (key: string) => o[key] as number | undefined;
  switch (o.kind) {
    case 'adam': return { kind: 'adam', weightDecay: n('weight_decay') };
    case 'sgd': return { kind: 'sgd', momentum: n('momentum'), nesterov: o.nesterov as boolean };
    case 'rmsprop': return { kind: 'rmsprop', momentum: n('momentum'), centered: o.centered as boolean };
    default: throw new Error(`train fixture: unknown optimizer ${o.kind}`);
  }
}

const close = (a: number, b: number, tolerance: number) => Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b));

describe('engine-train/train-step against PyTorch', () => {
  it('has the fixtures', () => assert.equal(fixtures.length, 3));

  for (const f of fixtures) {
    it(`${f.name}: ${f.losses.length} steps give torch's losses, norms, lrs and final weights within 1e-9`, () => {
      assert.equal(f.version, 1);
      const clips = f.gradNorms.filter((n) => n > f.clipNorm).length;
      assert.ok(clips > 0 && clips < f.gradNorms.length, 'the fixture has steps that clip and steps that do not');
      const session = createTrainingSession(f.spec, {
        optimizer: optimizerOf(f.optimizer), schedule: f.schedule, clipNorm: f.clipNorm, seed: 0, dtype: 'f64',
      });
      const layout = paramLayout(f.spec);
      for (const e of layout) session.model.param(e.name).set(f.initialParams[e.name]);
      f.windows.forEach((w, k) => {
        const m = trainStep(session, { tokens: Int32Array.from(w.tokens), T: f.T, B: f.B },
          { kind: 'softmax', targets: Int32Array.from(w.targets) }, true);
        assert.ok(close(m.loss, f.losses[k], 1e-9), `step ${k} loss ${m.loss} vs ${f.losses[k]}`);
        assert.ok(close(m.gradNorm, f.gradNorms[k], 1e-9), `step ${k} norm ${m.gradNorm} vs ${f.gradNorms[k]}`);
        assert.ok(close(m.lr, f.lrs[k], 1e-12), `step ${k} lr`);
        assert.equal(m.clipped, f.gradNorms[k] > f.clipNorm);
      });
      for (const e of layout) {
        const ours = session.model.param(e.name), theirs = f.finalParams[e.name];
        let worst = 0;
        for (let i = 0; i < theirs.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
        assert.ok(worst < 1e-9, `${e.name}: max |Δ| = ${worst}`);
      }
    });
  }
});
