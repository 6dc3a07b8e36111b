// The words of the training status-bar item and progress notification. No vscode import (unit-tested).
import type { ProgressReport } from '../../protocol/worker';

export const fmt = (x: number, digits = 4) => (Number.isFinite(x) ? Number(x.toPrecision(digits)).toString() : String(x));
const rate = (tps: number) => (tps >= 1000 ? `${(tps / 1000).toFixed(1)}k` : tps.toFixed(0));

export function progressLine(p: ProgressReport): string {
  return `step ${p.step}/${p.totalSteps} · loss ${fmt(p.loss)} · ${rate(p.tokensPerSec)} tok/s`;
}

/** The status-bar item's accessible name: each run's progress in plain words, then what a click does. */
export function statusAccessibleLabel(runs: readonly { id: string; latest?: ProgressReport }[], opens: string): string {
  const parts = runs.map((r) => `RNN Lab training ${r.id}: ${r.latest ? progressLine(r.latest).replace(/ · /g, ', ') : 'starting'}`);
  return `${parts.join('; ')}. Activate to open the dashboard of ${opens}.`;
}

