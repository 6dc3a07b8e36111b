// Learning-rate schedules: constant, step decay, cosine, each optionally after a linear warm-up.
// A schedule is a pure function of the step, so a resumed run needs only the step to continue
// exactly. step counts optimizer updates from 0 (the lr used by the first update is lr(0)).
//
// After warm-up, with s = step - warmupSteps (PyTorch's closed forms, last_epoch = s):
//   constant  lr = base
//   step      lr = base · gamma^⌊s / stepSize⌋                           (StepLR)
//   cosine    lr = minLr + (base - minLr) · (1 + cos(π · s / S)) / 2,     (CosineAnnealingLR)
//             S = totalSteps - warmupSteps; held at minLr once s ≥ S
// Warm-up: lr = base · (step + 1) / warmupSteps for step < warmupSteps, so it reaches base at the
// first step after warm-up and never starts at 0 (a zero-lr update would be wasted).

export type ScheduleKind = 'constant' | 'step' | 'cosine';

export interface ScheduleConfig {
  readonly kind: ScheduleKind;
  readonly baseLr: number;
  readonly warmupSteps?: number;  // default 0
  readonly stepSize?: number;     // step: decay every stepSize steps
  readonly gamma?: number;        // step: decay factor, default 0.1
  readonly totalSteps?: number;   // cosine: the step at which lr reaches minLr
  readonly minLr?: number;        // cosine: default 0
}

/** Throws on a config that cannot give a learning rate (says which field and what was expected). */
export function validateSchedule(config: ScheduleConfig): void {
  const fail = (what: string): never => {
    throw new Error(`schedule (${config.kind}): ${what}`);
  };
  const warmup = config.warmupSteps ?? 0;
  if (!(config.baseLr >= 0) || !Number.isFinite(config.baseLr)) fail(`baseLr must be a finite number ≥ 0, got ${config.baseLr}`);
  if (!Number.isInteger(warmup) || warmup < 0) fail(`warmupSteps must be an integer ≥ 0, got ${warmup}`);
  switch (config.kind) {
    case 'constant':
      return;
    case 'step':
      if (!Number.isInteger(config.stepSize) || (config.stepSize ?? 0) < 1) fail(`stepSize must be an integer ≥ 1, got ${config.stepSize}`);
      if (config.gamma !== undefined && !(config.gamma > 0)) fail(`gamma must be > 0, got ${config.gamma}`);
      return;
    case 'cosine':
      if (!Number.isInteger(config.totalSteps) || (config.totalSteps ?? 0) <= warmup) {
        fail(`totalSteps must be an integer > warmupSteps (${warmup}), got ${config.totalSteps}`);
      }
      if (config.minLr !== undefined && !(config.minLr >= 0 && config.minLr <= config.baseLr)) {
        fail(`minLr must be in [0, baseLr], got ${config.minLr}`);
      }
      return;
    default: {
      const unknown: never = config.kind;
      throw new Error(`schedule: unknown kind ${JSON.stringify(unknown)}, expected constant | step | cosine`);
    }
  }
}

/** The learning rate for the update at `step` (0-based). */
export function learningRate(config: ScheduleConfig, step: number): number {
  const base = config.baseLr;
  const warmup = config.warmupSteps ?? 0;
  if (step < warmup) return (base * (step + 1)) / warmup;
  const s = step - warmup;
  switch (config.kind) {
    case 'constant':
      return base;
    case 'step':
      return base * Math.pow(config.gamma ?? 0.1, Math.floor(s / (config.stepSize ?? 1)));
    case 'cosine': {
      const minLr = config.minLr ?? 0;
      const span = (config.totalSteps ?? warmup + 1) - warmup;
      if (s >= span) return minLr;
      return minLr + ((base - minLr) * (1 + Math.cos((Math.PI * s) / span))) / 2;
    }
    default: {
      const unknown: never = config.kind;
      throw new Error(`schedule: unknown kind ${JSON.stringify(unknown)}`);
    }
  }
}
