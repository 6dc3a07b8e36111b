// metrics.jsonl lines and live progress reports → the points the dashboard plots. No vscode.
// A resumed run re-trains the steps after its last checkpoint, so the file can step backwards:
// the later lines win, keeping x ascending for the charts.
import type { MetricPoint } from '../../protocol/dashboard';
import type { ProgressReport } from '../../protocol/worker';
import type { MetricsLine } from '../../pipeline/runStore';

export function pointsFromMetrics(lines: readonly MetricsLine[], clipNorm: number): MetricPoint[] {
  const points: MetricPoint[] = [];
  for (const l of lines) {
    if (typeof l.step !== 'number' || typeof l.loss !== 'number') continue;
    while (points.length && points[points.length - 1].step >= l.step) points.pop();
    points.push({
      step: l.step, loss: l.loss, valLoss: l.valLoss ?? undefined, lr: l.lr, tokensPerSec: l.tokensPerSec,
      gradNorm: l.gradNorm, clipped: l.clipped ?? (clipNorm > 0 && (l.gradNorm ?? 0) > clipNorm), time: l.time,
      valExactMatch: l.valExactMatch, valBleu: l.valBleu,
    });
  }
  return points;
}

export function pointFromProgress(p: ProgressReport): MetricPoint {
  return {
    step: p.step, loss: p.loss, valLoss: p.valLoss, lr: p.lr, tokensPerSec: p.tokensPerSec,
    gradNorm: p.gradNorm, clipped: p.clipped, time: p.time, valExactMatch: p.valExactMatch, valBleu: p.valBleu,
  };
}
