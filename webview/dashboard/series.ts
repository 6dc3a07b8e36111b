// Pure helpers behind the dashboard's charts: smoothing a loss curve and thinning long series for
// display. metrics.jsonl keeps every point; only what is drawn is decimated. No DOM here.

/**
 * Exponential moving average with bias correction (as TensorBoard's smoothing slider):
 * s_t = w·s_{t-1} + (1-w)·y_t, shown as s_t / (1 - w^n), n = finite values seen so far.
 * Non-finite inputs (NaN gaps) pass through as null and do not move the average.
 */
export function smoothEma(values: readonly (number | null | undefined)[], weight: number): (number | null)[] {
  const w = Math.min(Math.max(weight, 0), 0.999);
  const out: (number | null)[] = new Array(values.length);
  let s = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const y = values[i];
    if (y === null || y === undefined || !Number.isFinite(y)) { out[i] = null; continue; }
    s = w * s + (1 - w) * y;
    n++;
    out[i] = w === 0 ? y : s / (1 - Math.pow(w, n));
  }
  return out;
}

/**
 * Indices to draw so that a series of `length` points keeps its shape in `buckets` pixel columns:
 * the first and last point and, per bucket, the positions of the minimum and maximum of `values`
 * (min-max decimation: spikes survive, unlike striding). Indices ascend; at most 2·buckets + 2.
 * `keep` marks points that must stay (e.g. clipping events).
 */
export function decimateMinMax(values: readonly (number | null | undefined)[], buckets: number,
  keep?: (index: number) => boolean): number[] {
  const length = values.length;
  if (length <= 2 * buckets + 2) return Array.from({ length }, (_, i) => i);
  const chosen = new Set<number>([0, length - 1]);
  const per = length / buckets;
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * per);
    const to = Math.min(length, Math.floor((b + 1) * per));
    let iMin = -1, iMax = -1;
    for (let i = from; i < to; i++) {
      const v = values[i];
      if (v === null || v === undefined || !Number.isFinite(v)) continue;
      if (iMin < 0 || v < (values[iMin] as number)) iMin = i;
      if (iMax < 0 || v > (values[iMax] as number)) iMax = i;
      if (keep?.(i)) chosen.add(i);
    }
    if (iMin >= 0) chosen.add(iMin);
    if (iMax >= 0) chosen.add(iMax);
  }
  return [...chosen].sort((a, b) => a - b);
}

/** Same-step alignment of several runs' curves onto one shared x axis (uPlot's AlignedData). */
export function alignByStep(series: readonly { steps: readonly number[]; values: readonly (number | null)[] }[]):
  { steps: number[]; columns: (number | null)[][] } {
  const all = new Set<number>();
  for (const s of series) for (const x of s.steps) all.add(x);
  const steps = [...all].sort((a, b) => a - b);
  const at = new Map(steps.map((x, i) => [x, i]));
  const columns = series.map((s) => {
    const col: (number | null)[] = new Array(steps.length).fill(null);
    s.steps.forEach((x, i) => { col[at.get(x)!] = s.values[i] ?? null; });
    return col;
  });
  return { steps, columns };
}

/** "1h 02m", "3m 05s", "12s": an ETA a person reads at a glance. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(r).padStart(2, '0')}s`;
  return `${r}s`;
}
