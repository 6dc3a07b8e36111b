// When a run is overfitting, in words: the validation loss rose at each of the last evaluations while
// the training loss fell over the same steps. Pure (no DOM): the dashboard calls it on every render,
// unit tests on tables of curves. The training loss is noisy, so it is compared as the mean of the
// steps logged between two evaluations, not point by point.

export interface LossPoint {
  readonly step: number;
  readonly loss: number;       // training loss of this step
  readonly valLoss?: number;   // at evaluations
}

export interface Overfitting {
  readonly fromStep: number;   // the first of the evaluations looked at
  readonly toStep: number;     // the last
  readonly valFrom: number;
  readonly valTo: number;
  readonly trainFrom: number;  // mean training loss of the steps up to fromStep (since the evaluation before)
  readonly trainTo: number;    // the same up to toStep
}

/** Evaluations looked at: the validation loss must rise at each of the last EVALUATIONS - 1 of them. */
export const EVALUATIONS = 3;

/** The verdict, or null when there are fewer than EVALUATIONS evaluations or the curves say otherwise. */
export function detectOverfitting(points: readonly LossPoint[], evaluations = EVALUATIONS): Overfitting | null {
  const evals: number[] = [];   // indices into points of the evaluations
  points.forEach((p, i) => { if (p.valLoss !== undefined && Number.isFinite(p.valLoss)) evals.push(i); });
  if (evals.length < evaluations) return null;
  const last = evals.slice(-evaluations);
  for (let k = 1; k < last.length; k++) if (!(points[last[k]].valLoss! > points[last[k - 1]].valLoss!)) return null;
  const start = evals.length > evaluations ? evals[evals.length - evaluations - 1] + 1 : 0;
  const trainFrom = meanLoss(points, start, last[0]);
  const trainTo = meanLoss(points, last[last.length - 2] + 1, last[last.length - 1]);
  if (!(trainTo < trainFrom)) return null;
  return {
    fromStep: points[last[0]].step, toStep: points[last[last.length - 1]].step,
    valFrom: points[last[0]].valLoss!, valTo: points[last[last.length - 1]].valLoss!, trainFrom, trainTo,
  };
}

/** Mean training loss of points[from..to], both included. */
function meanLoss(points: readonly LossPoint[], from: number, to: number): number {
  let sum = 0, n = 0;
  for (let i = from; i <= to; i++) if (Number.isFinite(points[i].loss)) { sum += points[i].loss; n++; }
  return n ? sum / n : NaN;
}

/** The sentence the dashboard shows; `modelStep`: the step model.onnx holds, when known. */
export function overfittingWarning(o: Overfitting, modelStep?: number): string {
  const f = (x: number) => x.toFixed(3);
  return `Overfitting: the validation loss rose at each of the last ${EVALUATIONS} evaluations `
    + `(${f(o.valFrom)} → ${f(o.valTo)}, steps ${o.fromStep}–${o.toStep}) while the training loss fell `
    + `(${f(o.trainFrom)} → ${f(o.trainTo)}): the model is learning the training data by heart.`
    + (modelStep !== undefined ? ` model.onnx keeps the best weights, from step ${modelStep}.` : '')
    + ' More data, dropout, a smaller model or early stopping (training.earlyStoppingPatience) help.';
}
