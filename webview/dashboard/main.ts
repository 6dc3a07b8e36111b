// The training dashboard (browser side): loss curves with smoothing, log axis and overlaid runs,
// perplexity and bits per character beside the loss, the step model.onnx is from, overfitting in words,
// the ‖∂L/∂a<t>‖ picture over BPTT time steps, learning rate, tokens/s, ETA, config and samples;
// a seq2seq run's validation exact match and BLEU beside its loss.
// Receives HostToDashboard messages, sends DashboardToHost; keeps every point, draws a decimated view.
import type {
  DashboardRun, DashboardState, DashboardToHost, GradWindow, HostToDashboard, LiveFigures, MetricPoint, RunChoice,
} from '../../src/protocol/dashboard';
import { button, checkbox, el, initialState, registerToolkit } from '../shared/toolkit';
import { onMessage, post, vscodeApi } from '../shared/vscode';
import { Chart, type ChartSpec } from './chart';
import { chartTips, statTips, tipText, vanishNotes, type Tip } from './explain';
import { drawHeatStrip } from './heatStrip';
import { tickLabels } from './ticks';
import { detectOverfitting, overfittingWarning } from './overfitting';
import { alignByStep, decimateMinMax, formatDuration, smoothEma } from './series';
import { onThemeChange, readTheme, type ChartTheme } from './theme';
import type uPlot from 'uplot';

type uPlotData = uPlot.AlignedData;
import 'uplot/dist/uPlot.min.css';
import './dashboard.css';

const gradWindowsFaded = 5;     // latest windows drawn as lines, older ones fainter

interface Curve { readonly steps: number[]; readonly loss: number[] }

const store = {
  run: undefined as DashboardRun | undefined,
  metrics: [] as MetricPoint[],
  grads: [] as GradWindow[],
  gradWindowsKept: 0,            // rows of the heat strip, as many as the host keeps (init)
  samples: [] as { step: number; text: string }[],
  live: undefined as LiveFigures | undefined,
  choices: [] as RunChoice[],
  overlays: new Map<string, { run: RunChoice; curve: Curve; grads: readonly GradWindow[] }>(),
};

const saved = vscodeApi<DashboardState>().getState() ?? initialState<DashboardState>() ?? { runDir: '' };
const view = {
  runDir: saved.runDir,
  smoothing: saved.smoothing ?? 0.6,
  logScale: saved.logScale ?? false,
  overlays: [...(saved.overlays ?? [])],
};

function persist(): void {
  vscodeApi<DashboardState>().setState({ runDir: view.runDir, smoothing: view.smoothing, logScale: view.logScale, overlays: view.overlays });
}

const send = (m: DashboardToHost) => post(m);
registerToolkit();
let theme: ChartTheme = readTheme();

// ---- layout -------------------------------------------------------------------------------
const app = document.getElementById('app')!;
const title = el('h1', {}, 'Training dashboard');
const statusTag = el('vscode-tag', { id: 'run-status' }, '…');
const message = el('p', { id: 'run-message', class: 'muted', role: 'status' });
const stopButton = button('Stop Training', () => send({ type: 'stop' }), 'primary', { id: 'stop-training' });
const resumeButton = button('Resume', () => send({ type: 'resume' }), 'secondary', { id: 'resume-training' });
const configButton = button('Open Config', () => send({ type: 'openConfig' }), 'secondary');

/** A small circled "i" that shows `tip` on hover and on keyboard focus (CSS, from data-tip), and reads it to a screen reader. */
function tipMark(tip: Tip, about: string): HTMLElement {
  const text = tipText(tip);
  return el('span', { class: 'tip', tabindex: 0, role: 'note', 'data-tip': text, 'aria-label': `About ${about}: ${text}` }, 'i');
}
function stat(id: string, label: string, tip: Tip): HTMLElement {
  return el('div', { class: 'card stat', 'data-tip': tipText(tip), title: tipText(tip) },
    el('div', { class: 'muted' }, label, ' ', tipMark(tip, label)), el('div', { class: 'value', id }, '–'));
}
const stats = el('div', { class: 'stats' },
  stat('stat-step', 'Step', statTips.step), stat('stat-loss', 'Loss (smoothed)', statTips.loss),
  stat('stat-first-loss', 'First loss', statTips.firstLoss), stat('stat-val-loss', 'Best validation loss', statTips.valLoss),
  stat('stat-tps', 'Tokens/s', statTips.tokensPerSec), stat('stat-eta', 'ETA', statTips.eta),
  stat('stat-lr', 'Learning rate', statTips.lr), stat('stat-clip', 'Clipped steps', statTips.clip));
const heading = (tag: 'h2' | 'h3', text: string, tip: Tip, attrs: Record<string, string> = {}) => el(tag, attrs, text, ' ', tipMark(tip, text));
// seq2seq: the latest evaluation's exact match and BLEU (metrics.jsonl's valExactMatch, valBleu).
const seq2seqStats = [stat('stat-exact', 'Exact match (validation)', statTips.exactMatch), stat('stat-bleu', 'BLEU (validation)', statTips.bleu)];
stats.append(...seq2seqStats);
// lm and seq2seq: perplexity = exp(loss) beside the loss; char models: bits per character = loss / ln 2.
const perplexityStats = [stat('stat-perplexity', 'Perplexity (smoothed)', statTips.perplexity),
  stat('stat-val-perplexity', 'Best validation perplexity', statTips.valPerplexity)];
const bitsStat = stat('stat-bits', 'Bits per character (smoothed · best validation)', statTips.bitsPerChar);
// Which weights model.onnx holds: the lowest validation loss's step (run.json's bestStep), else the latest.
const modelStat = stat('stat-model', 'model.onnx from', statTips.modelStep);
stats.append(...perplexityStats, bitsStat, modelStat);
const overfittingNote = el('p', { id: 'overfitting', class: 'warning', role: 'status' });
overfittingNote.hidden = true;

const smoothingValue = el('span', { class: 'mono' }, view.smoothing.toFixed(2));
const smoothingSlider = el('input', {
  type: 'range', min: 0, max: 0.99, step: 0.01, value: view.smoothing, id: 'smoothing', 'aria-label': 'Smoothing',
});
smoothingSlider.addEventListener('input', () => {
  view.smoothing = Number(smoothingSlider.value);
  smoothingValue.textContent = view.smoothing.toFixed(2);
  persist();
  scheduleRender();
});
const logToggle = checkbox('Log axis', view.logScale, (on) => {
  view.logScale = on;
  persist();
  lossChart.rebuild(lossSpec());
  scheduleRender();
}, { id: 'log-axis' });
const overlayPicker = el('select', { id: 'overlay-picker', 'aria-label': 'Overlay another run' });
overlayPicker.addEventListener('change', () => {
  const dir = overlayPicker.value;
  overlayPicker.value = '';
  if (!dir || view.overlays.includes(dir)) return;
  view.overlays.push(dir);
  persist();
  send({ type: 'requestOverlay', dir });
});
const overlayChips = el('div', { class: 'row', id: 'overlay-chips' });

// Chart hosts are images to assistive technology; their aria-label is a text alternative kept up to date by render().
const chartHost = (id: string, label: string) => el('div', { class: 'chart', id, role: 'img', 'aria-label': label });
const lossHost = chartHost('loss-chart', 'Loss chart: no steps yet');
const gradLinesHost = chartHost('grad-chart', 'Gradient through time: no windows yet');
const compareTitle = el('h3', { id: 'grad-compare-title' }, 'Compared run');
const compareHost = chartHost('grad-compare-chart', 'Gradient through time of the compared run');
const thisRatio = el('p', { class: 'muted mono', id: 'grad-ratio' });
const compareRatio = el('p', { class: 'muted mono', id: 'grad-compare-ratio' });
const compareColumn = el('div', { class: 'grad-column', id: 'grad-compare' }, compareTitle, compareHost, compareRatio);
const heatCanvas = el('canvas', { class: 'heat', id: 'grad-heat', role: 'img', 'aria-label': 'Gradient norm over time steps, one row per window' });
const heatCaption = el('p', { class: 'muted', id: 'grad-caption' });
const heatLegendLo = el('span', { class: 'mono' }), heatLegendHi = el('span', { class: 'mono' });
const heatLegend = el('div', { class: 'row heat-legend', id: 'grad-heat-legend', 'aria-hidden': 'true' },
  el('span', { class: 'muted' }, 'colour:'), heatLegendLo, el('span', { class: 'heat-ramp' }), heatLegendHi,
  el('span', { class: 'muted' }, '‖∂L/∂a⟨t⟩‖ (log scale)'), el('span', { class: 'clip-mark' }), el('span', { class: 'muted' }, 'clipped window'));
const gradNormHost = chartHost('grad-norm-chart', 'Global gradient norm: no steps yet');
const qualityHost = chartHost('quality-chart', 'Validation exact match and BLEU: no evaluations yet');
const lrHost = chartHost('lr-chart', 'Learning rate: no steps yet');
const tpsHost = chartHost('tps-chart', 'Tokens per second: no steps yet');
const samplesList = el('div', { id: 'samples' });
const configText = el('pre', { id: 'config', tabindex: 0 });

app.append(
  el('div', { class: 'row' }, title, statusTag, stopButton, resumeButton, configButton),
  message,
  stats,
  overfittingNote,
  el('section', { class: 'card' },
    heading('h2', 'Loss', chartTips.loss),
    el('div', { class: 'row' },
      el('label', { for: 'smoothing' }, 'Smoothing'), smoothingSlider, smoothingValue, logToggle,
      el('label', { for: 'overlay-picker' }, 'Compare with'), overlayPicker, overlayChips),
    lossHost),
  el('section', { class: 'card', id: 'quality-card' },
    heading('h2', 'Exact match and BLEU (validation)', chartTips.quality),
    el('p', { class: 'muted' }, 'At each evaluation: the share of outputs equal to their target, and corpus BLEU-4 over target tokens.'),
    qualityHost),
  el('section', { class: 'card', id: 'grad-card' },
    heading('h2', 'Gradient through time ‖∂L/∂a⟨t⟩‖', chartTips.gradient),
    el('p', { class: 'muted' }, 'Latest BPTT windows, newest brightest: a curve falling towards t = 1 is a vanishing gradient. Compare with another run to see both side by side on one scale.'),
    el('div', { class: 'grad-layout' },
      el('div', { class: 'grad-charts' },
        el('div', { class: 'grad-pair' },
          el('div', { class: 'grad-column' }, el('h3', { id: 'grad-this-title' }, 'This run'), gradLinesHost, thisRatio),
          compareColumn),
        heading('h3', 'Every window', chartTips.heat), heatCanvas, heatLegend, heatCaption),
      el('aside', { class: 'notes', id: 'grad-notes', 'aria-label': 'From the course notes' },
        el('h3', {}, 'From the notes'), ...vanishNotes.map((n) => el('p', {}, n)))),
    heading('h3', 'Global gradient norm (before clipping)', chartTips.gradNorm), gradNormHost),
  el('div', { class: 'pair' },
    el('section', { class: 'card' }, heading('h2', 'Learning rate', chartTips.lr), lrHost),
    el('section', { class: 'card' }, heading('h2', 'Tokens per second', chartTips.tokensPerSec, { id: 'tps-title' }), tpsHost)),
  el('section', { class: 'card', id: 'samples-card' }, el('h2', { id: 'samples-title' }, 'Samples during training'), samplesList),
  el('section', { class: 'card' }, el('h2', {}, 'Config in use'), configText),
);

// ---- charts -------------------------------------------------------------------------------
function lossSpec(): ChartSpec {
  const p = theme.palette;
  return {
    xLabel: 'step', yLabel: 'loss (nats/token)', logY: view.logScale, height: 280,
    series: [
      { label: 'train (raw)', stroke: p[0], alpha: 0.3, width: 1 },
      { label: 'train', stroke: p[0], width: 2 },
      { label: 'validation', stroke: p[1], width: 2, spanGaps: true },
      { label: 'clipped', stroke: theme.warning, pointsOnly: true, pointSize: 5 },
      ...[...store.overlays.values()].map((o, i) => ({ label: o.run.id, stroke: p[(i + 2) % p.length], width: 1.5, dash: [6, 3] })),
    ],
  };
}
/** One log scale for this run's and the compared run's windows, so their heights compare directly. */
function sharedGradRange(): [number, number] | undefined {
  const compared = firstComparedGrads();
  if (!compared.length) return undefined;
  let lo = Infinity, hi = -Infinity;
  for (const w of [...store.grads.slice(-gradWindowsFaded), ...compared]) for (const n of w.norms) {
    if (n > 0 && Number.isFinite(n)) { lo = Math.min(lo, n); hi = Math.max(hi, n); }
  }
  if (!Number.isFinite(lo)) return undefined;
  const from = 10 ** Math.floor(Math.log10(lo)), to = 10 ** Math.ceil(Math.log10(hi));
  // a log axis needs 0 < from < to (uPlot's log splits never end otherwise)
  return from > 0 && Number.isFinite(to) ? [from, to > from ? to : from * 10] : undefined;
}
const firstComparedGrads = (): readonly GradWindow[] =>
  [...store.overlays.values()].find((o) => o.grads.length)?.grads.slice(-gradWindowsFaded) ?? [];
const gradLinesSpec = (): ChartSpec => ({
  xLabel: 't (time step in window)', yLabel: '‖∂L/∂a⟨t⟩‖', logY: true, height: 200, yRange: sharedGradRange,
  series: Array.from({ length: gradWindowsFaded }, (_, i) => ({
    label: i === gradWindowsFaded - 1 ? 'latest' : `−${gradWindowsFaded - 1 - i}`,
    stroke: theme.palette[0], alpha: 0.2 + 0.8 * (i + 1) / gradWindowsFaded, width: i === gradWindowsFaded - 1 ? 2 : 1,
  })),
});
const gradNormSpec = (): ChartSpec => ({
  xLabel: 'step', yLabel: '‖g‖', logY: true, height: 160,
  series: [
    { label: 'grad norm', stroke: theme.palette[2], width: 1 },
    { label: 'clip threshold', stroke: theme.warning, width: 1, dash: [4, 4] },
    { label: 'clipped', stroke: theme.warning, pointsOnly: true, pointSize: 5 },
  ],
});
const qualitySpec = (): ChartSpec => ({
  xLabel: 'step', yLabel: '% of validation', height: 200,
  series: [
    { label: 'exact match', stroke: theme.palette[1], width: 2, spanGaps: true },
    { label: 'BLEU', stroke: theme.palette[2], width: 2, spanGaps: true },
  ],
});
const lrSpec = (): ChartSpec => ({ xLabel: 'step', yLabel: 'lr', height: 140, series: [{ label: 'lr', stroke: theme.palette[3] }] });
const tpsSpec = (): ChartSpec => ({ xLabel: 'step', yLabel: 'tokens/s', height: 140, series: [{ label: 'tokens/s', stroke: theme.palette[4] }] });

const compareSpec = (): ChartSpec => ({ ...gradLinesSpec(), series: gradLinesSpec().series.map((sp) => ({ ...sp, stroke: theme.palette[1] })) });
const lossChart = new Chart(lossHost, lossSpec(), theme);
const gradLinesChart = new Chart(gradLinesHost, gradLinesSpec(), theme);
const compareChart = new Chart(compareHost, compareSpec(), theme);
const gradNormChart = new Chart(gradNormHost, gradNormSpec(), theme);
const qualityChart = new Chart(qualityHost, qualitySpec(), theme);
const lrChart = new Chart(lrHost, lrSpec(), theme);
const tpsChart = new Chart(tpsHost, tpsSpec(), theme);

onThemeChange(() => {
  theme = readTheme();
  lossChart.rebuild(lossSpec(), theme);
  gradLinesChart.rebuild(gradLinesSpec(), theme);
  compareChart.rebuild(compareSpec(), theme);
  gradNormChart.rebuild(gradNormSpec(), theme);
  qualityChart.rebuild(qualitySpec(), theme);
  lrChart.rebuild(lrSpec(), theme);
  tpsChart.rebuild(tpsSpec(), theme);
  scheduleRender();
});

// ---- rendering ----------------------------------------------------------------------------
let renderPending = false;
function scheduleRender(): void {
  if (renderPending) return;
  renderPending = true;
  requestAnimationFrame(() => { renderPending = false; render(); });
}

// pixel columns of the charts, read once per render (reading layout forces it: keep it rare)
let columnCount = 600;
const columns = () => columnCount;
const fmt = (x: number | undefined, digits = 4) => (x === undefined || !Number.isFinite(x) ? '–' : Number(x.toPrecision(digits)).toString());
const setText = (id: string, text: string) => {
  const node = document.getElementById(id)!;
  if (node.textContent !== text) node.textContent = text;
};

function render(): void {
  columnCount = Math.max(100, Math.floor(lossHost.clientWidth || 600));
  renderHeader();
  renderLoss();
  renderQuality();
  renderGradients();
  renderRates();
}

function renderHeader(): void {
  const run = store.run;
  title.textContent = run ? run.id : 'Training dashboard';
  statusTag.textContent = run?.status ?? '…';
  stopButton.hidden = run?.status !== 'training';
  resumeButton.hidden = run?.status !== 'stopped';
  const m = store.metrics;
  const last = m[m.length - 1];
  const total = store.live?.totalSteps ?? run?.totalSteps;
  setText('stat-step', last ? `${last.step}${total ? ` / ${total}` : ''}` : '–');
  const smoothed = smoothEma(m.map((p) => p.loss), view.smoothing);
  setText('stat-loss', fmt(smoothed[smoothed.length - 1] ?? undefined));
  setText('stat-first-loss', fmt(m[0]?.loss));
  const best = bestEvaluation(m);
  setText('stat-val-loss', best ? fmt(best.valLoss) : '–');
  renderModelFigures(run, smoothed[smoothed.length - 1] ?? undefined, best);
  setText('stat-tps', fmt(store.live?.tokensPerSec ?? last?.tokensPerSec, 3));
  setText('stat-eta', run?.status === 'training' && store.live ? formatDuration(store.live.etaSec) : '–');
  setText('stat-lr', fmt(last?.lr, 3));
  const clippedSteps = m.filter((p) => p.clipped).length;
  setText('stat-clip', store.live ? `${(store.live.clipRate * 100).toFixed(1)}%` : m.length ? `${clippedSteps} of ${m.length}` : '–');
  const evaluated = m.filter((p) => p.valExactMatch !== undefined);
  const latest = evaluated[evaluated.length - 1];
  setText('stat-exact', latest ? percent(latest.valExactMatch) : '–');
  setText('stat-bleu', latest ? percent(latest.valBleu) : '–');
}

/** The first evaluation with the lowest validation loss: the weights model.onnx keeps (the trainer saves at each new best). */
function bestEvaluation(m: readonly MetricPoint[]): { step: number; valLoss: number } | undefined {
  let best: { step: number; valLoss: number } | undefined;
  for (const p of m) if (p.valLoss !== undefined && Number.isFinite(p.valLoss) && (!best || p.valLoss < best.valLoss)) best = { step: p.step, valLoss: p.valLoss };
  return best;
}

/** Perplexity and bits per character beside the loss, the step model.onnx is from, overfitting in words. */
function renderModelFigures(run: DashboardRun | undefined, smoothedLoss: number | undefined, best: { step: number; valLoss: number } | undefined): void {
  const lmLike = run?.task === 'lm' || run?.task === 'seq2seq';
  for (const card of perplexityStats) card.hidden = !lmLike;
  bitsStat.hidden = !(run?.task === 'lm' && run.tokenizer === 'char');
  modelStat.hidden = run?.task === 'embed';
  const exp = (x: number | undefined) => (x === undefined ? undefined : Math.exp(x));
  setText('stat-perplexity', fmt(exp(smoothedLoss)));
  setText('stat-val-perplexity', best ? `${fmt(Math.exp(best.valLoss))} (step ${best.step})` : '–');
  const bits = (x: number | undefined) => fmt(x === undefined ? undefined : x / Math.LN2, 3);
  setText('stat-bits', `${bits(smoothedLoss)}${best ? ` · ${bits(best.valLoss)}` : ''}`);
  const modelStep = best?.step ?? run?.modelStep;
  setText('stat-model', modelStep === undefined ? '–' : `step ${modelStep} (${best ? 'lowest validation loss' : 'latest'})`);
  const overfitting = run?.task === 'embed' ? null : detectOverfitting(store.metrics);
  overfittingNote.hidden = !overfitting;
  const warning = overfitting ? overfittingWarning(overfitting, best?.step) : '';
  if (overfittingNote.textContent !== warning) overfittingNote.textContent = warning;
}

const percent = (share: number | undefined) => (share === undefined || !Number.isFinite(share) ? '–' : `${(100 * share).toFixed(1)}%`);

/** seq2seq: one point per evaluation (a few per run, so no decimation), in percent. */
function renderQuality(): void {
  const evaluated = store.metrics.filter((p) => p.valExactMatch !== undefined || p.valBleu !== undefined);
  const pct = (share: number | undefined) => (share === undefined ? null : 100 * share);
  qualityChart.setData([evaluated.map((p) => p.step), evaluated.map((p) => pct(p.valExactMatch)), evaluated.map((p) => pct(p.valBleu))]);
  const lastEval = evaluated[evaluated.length - 1];
  qualityHost.setAttribute('aria-label', lastEval
    ? `Validation exact match and BLEU over ${evaluated.length} evaluations: at step ${lastEval.step} exact match ${fmt(pct(lastEval.valExactMatch) ?? undefined, 3)}%, BLEU ${fmt(pct(lastEval.valBleu) ?? undefined, 3)}%.`
    : 'Validation exact match and BLEU: no evaluations yet.');
}

function renderLoss(): void {
  const m = store.metrics;
  const raw = m.map((p) => p.loss);
  const smooth = smoothEma(raw, view.smoothing);
  const keep = (i: number) => m[i].valLoss !== undefined || m[i].clipped === true;
  const idx = decimateMinMax(raw, columns(), keep);
  const main = {
    steps: idx.map((i) => m[i].step),
    cols: [
      idx.map((i) => raw[i]), idx.map((i) => smooth[i]), idx.map((i) => m[i].valLoss ?? null),
      idx.map((i) => (m[i].clipped ? raw[i] : null)),
    ],
  };
  const overlays = [...store.overlays.values()].map(({ curve }) => {
    const s = smoothEma(curve.loss, view.smoothing);
    const oi = decimateMinMax(curve.loss, columns());
    return { steps: oi.map((i) => curve.steps[i]), values: oi.map((i) => s[i]) };
  });
  const aligned = alignByStep([
    ...main.cols.map((values) => ({ steps: main.steps, values })),
    ...overlays,
  ]);
  const positive = (v: number | null) => (view.logScale && v !== null && !(v > 0) ? null : v);
  lossChart.setData([aligned.steps, ...aligned.columns.map((c) => c.map(positive))]);
  lossHost.setAttribute('aria-label', lossAlternative(m, smooth));
}

/** The loss chart in words: span, first and latest smoothed loss, best validation loss, compared runs. */
function lossAlternative(m: readonly MetricPoint[], smooth: readonly (number | null)[]): string {
  if (!m.length) return 'Loss chart: no steps yet.';
  const vals = m.filter((p) => p.valLoss !== undefined && Number.isFinite(p.valLoss));
  const best = vals.reduce<MetricPoint | undefined>((b, p) => (!b || p.valLoss! < b.valLoss! ? p : b), undefined);
  const compared = [...store.overlays.values()].map((o) => `${o.run.id} ends at ${fmt(o.curve.loss[o.curve.loss.length - 1])}`);
  return `Loss chart, steps ${m[0].step} to ${m[m.length - 1].step}: training loss ${fmt(m[0].loss)} at the start, ` +
    `${fmt(smooth[smooth.length - 1] ?? undefined)} now (smoothed)` +
    (best ? `; best validation loss ${fmt(best.valLoss)} at step ${best.step}` : '') +
    (compared.length ? `; compared: ${compared.join(', ')}` : '') + '.';
}

/** The headline number under a gradient chart: the latest window's ‖∂L/∂a<1>‖ / ‖∂L/∂a<T>‖. */
function ratioLine(windows: readonly GradWindow[]): string {
  const w = windows[windows.length - 1];
  if (!w || w.norms.length < 2 || !(w.norms[w.norms.length - 1] > 0)) return '';
  return `step ${w.step}: ‖∂L/∂a⟨1⟩‖ / ‖∂L/∂a⟨${w.norms.length}⟩‖ = ${tickLabels([w.norms[0] / w.norms[w.norms.length - 1]])[0]}`;
}

/** A run's latest window in words: ‖∂L/∂a<1>‖, ‖∂L/∂a<T>‖ and their ratio, the chart's headline number. */
function gradAlternative(who: string, windows: readonly GradWindow[]): string {
  const w = windows[windows.length - 1];
  if (!w || !w.norms.length) return `Gradient through time of ${who}: no windows yet.`;
  const first = w.norms[0], last = w.norms[w.norms.length - 1];
  const ratio = last > 0 ? first / last : NaN;
  const [a, b, r] = tickLabels([first, last, ratio]);
  const drawn = windows.slice(-gradWindowsFaded).map((x) => x.norms[0] / x.norms[x.norms.length - 1]).filter((x) => x > 0 && Number.isFinite(x));
  const mean = drawn.length ? Math.exp(drawn.reduce((sum, x) => sum + Math.log(x), 0) / drawn.length) : NaN;
  return `Gradient through time of ${who}, window of step ${w.step}, T = ${w.norms.length}: ‖∂L/∂a⟨1⟩‖ = ${a}, ` +
    `‖∂L/∂a⟨T⟩‖ = ${b}, ratio first/last ${r}` +
    (ratio < 1e-6 ? ' (a vanishing gradient)' : ratio > 1e3 ? ' (a growing gradient)' : '') +
    (drawn.length > 1 ? `; geometric mean of the ratio over the ${drawn.length} windows drawn ${tickLabels([mean])[0]}` : '') + '.';
}

/** The latest windows as the lines' chart data: t = 1..T, one column per window (oldest first). */
function gradLines(windows: readonly GradWindow[]): (number | null)[][] {
  const latest = windows.slice(-gradWindowsFaded);
  const T = Math.max(0, ...latest.map((w) => w.norms.length));
  const ts = Array.from({ length: T }, (_, t) => t + 1);
  return [ts, ...Array.from({ length: gradWindowsFaded }, (_, i) => {
    const w = latest[i - (gradWindowsFaded - latest.length)];
    return ts.map((_, t) => (w && w.norms[t] > 0 ? w.norms[t] : null));
  })];
}

function renderGradients(): void {
  gradLinesChart.setData(gradLines(store.grads) as uPlotData);
  gradLinesHost.setAttribute('aria-label', gradAlternative('this run', store.grads));
  thisRatio.textContent = ratioLine(store.grads);
  const compared = [...store.overlays.values()].find((o) => o.grads.length);
  compareColumn.hidden = !compared;
  document.getElementById('grad-this-title')!.textContent = compared ? `This run: ${store.run?.id ?? ''}` : 'This run';
  if (compared) {
    compareTitle.textContent = `Compared: ${compared.run.id}`;
    compareChart.setData(gradLines(compared.grads) as uPlotData);
    compareHost.setAttribute('aria-label', gradAlternative(compared.run.id, compared.grads));
    compareRatio.textContent = ratioLine(compared.grads);
  }
  const area = gradLinesChart.plotArea();   // the strip's columns sit under the chart's t axis
  if (area) {
    heatCanvas.style.marginLeft = `${area.left}px`;
    heatCanvas.style.width = `${area.width}px`;
  }
  const range = drawHeatStrip(heatCanvas, store.grads, theme);
  heatLegend.hidden = !range;
  if (range) [heatLegendLo.textContent, heatLegendHi.textContent] = tickLabels([10 ** range.lo, 10 ** range.hi]);
  const first = store.grads[0], last = store.grads[store.grads.length - 1];
  const clipped = store.grads.filter((w) => w.clipped).length;
  heatCaption.textContent = first
    ? `Rows: ${store.grads.length} windows, step ${first.step} (top) to ${last.step} (bottom); ` +
      `brighter = larger gradient; ${clipped} clipped (marked at the left edge).`
    : store.run?.status === 'training' ? 'No gradient windows yet: they arrive while the run trains.'
    : store.run?.status === 'imported' ? 'No gradient windows: an imported model was not trained here.'
    : 'No gradient windows saved: this run\'s folder has no gradients.jsonl (RNN Lab writes one while a run trains).';
  heatCanvas.setAttribute('aria-label', first && range
    ? `Heat strip of ${store.grads.length} gradient windows, steps ${first.step} to ${last.step}; ‖∂L/∂a⟨t⟩‖ from ${tickLabels([10 ** range.lo, 10 ** range.hi]).join(' to ')}; ${clipped} clipped.`
    : 'Heat strip of gradient windows: none yet.');

  const m = store.metrics;
  const g = m.map((p) => p.gradNorm ?? null);
  const idx = decimateMinMax(g, columns(), (i) => m[i].clipped === true);
  const clip = store.run?.clipNorm;
  gradNormChart.setData([
    idx.map((i) => m[i].step),
    idx.map((i) => (g[i] !== null && g[i]! > 0 ? g[i] : null)),
    idx.map(() => (clip && clip > 0 ? clip : null)),
    idx.map((i) => (m[i].clipped && g[i] ? g[i] : null)),
  ]);
  const finite = g.filter((v): v is number => v !== null && Number.isFinite(v));
  gradNormHost.setAttribute('aria-label', finite.length
    ? `Global gradient norm over ${finite.length} steps: latest ${tickLabels([finite[finite.length - 1]])[0]}, largest ${tickLabels([Math.max(...finite)])[0]}` +
      `${clip && clip > 0 ? `, clip threshold ${clip}` : ', no clipping'}; ${m.filter((p) => p.clipped).length} steps clipped.`
    : 'Global gradient norm: no steps yet.');
}

function renderRates(): void {
  const m = store.metrics;
  const lr = m.map((p) => p.lr ?? null), tps = m.map((p) => p.tokensPerSec ?? null);
  const li = decimateMinMax(lr, columns());
  lrChart.setData([li.map((i) => m[i].step), li.map((i) => lr[i])]);
  const ti = decimateMinMax(tps, columns());
  tpsChart.setData([ti.map((i) => m[i].step), ti.map((i) => tps[i])]);
  const last = m[m.length - 1];
  lrHost.setAttribute('aria-label', last ? `Learning rate, steps ${m[0].step} to ${last.step}: now ${fmt(last.lr, 3)}.` : 'Learning rate: no steps yet.');
  tpsHost.setAttribute('aria-label', last ? `Tokens per second, steps ${m[0].step} to ${last.step}: now ${fmt(last.tokensPerSec, 3)}.` : 'Tokens per second: no steps yet.');
}

function renderSamples(): void {
  const card = document.getElementById('samples-card')!;
  // embed (word2vec): no BPTT gradients; its "samples" are the probe words' nearest neighbours.
  const embed = store.run?.task === 'embed';
  card.hidden = store.run !== undefined && store.run.task !== 'lm' && !embed;
  document.getElementById('grad-card')!.hidden = embed;
  const seq2seq = store.run?.task === 'seq2seq';
  document.getElementById('quality-card')!.hidden = !seq2seq;
  for (const card of seq2seqStats) card.hidden = !seq2seq;
  document.getElementById('samples-title')!.textContent = embed ? 'Nearest words of the probe words, while training' : 'Samples during training';
  document.getElementById('tps-title')!.textContent = embed ? '(Centre, context) pairs per second' : 'Tokens per second';
  samplesList.replaceChildren(...(store.samples.length
    ? store.samples.slice(-20).reverse().map((s) => el('div', { class: 'sample' },
        el('div', { class: 'muted' }, `step ${s.step}`), el('pre', { tabindex: 0 }, s.text)))
    : [el('p', { class: 'muted' }, embed ? 'The probe words\' neighbours appear here every evalEvery steps.' : 'Samples appear here as a language model trains.')]));
}

function renderOverlayControls(): void {
  const options = store.choices.filter((c) => c.dir !== view.runDir && !view.overlays.includes(c.dir));
  overlayPicker.replaceChildren(
    el('option', { value: '' }, options.length ? 'another run…' : 'no other runs'),
    ...options.map((c) => el('option', { value: c.dir }, `${c.id} (${c.task})`)));
  overlayChips.replaceChildren(...[...store.overlays.values()].map(({ run }) =>
    button(`✕ ${run.id}`, () => {
      store.overlays.delete(run.dir);
      view.overlays = view.overlays.filter((d) => d !== run.dir);
      send({ type: 'dropOverlay', dir: run.dir });
      persist();
      renderOverlayControls();
      lossChart.rebuild(lossSpec());
      scheduleRender();
    }, 'secondary', { 'aria-label': `Remove overlay ${run.id}` })));
}

// ---- messages -----------------------------------------------------------------------------
function pushGrads(windows: readonly GradWindow[]): void {
  store.grads.push(...windows);
  if (store.grads.length > store.gradWindowsKept) store.grads.splice(0, store.grads.length - store.gradWindowsKept);
}

onMessage<HostToDashboard>((msg) => {
  switch (msg.type) {
    case 'init':
      store.run = msg.run;
      store.metrics = [...msg.metrics];
      store.grads = [];
      store.gradWindowsKept = msg.gradWindowsKept;
      pushGrads(msg.grads);
      store.samples = [...msg.samples];
      store.live = msg.live;
      view.runDir = msg.run.dir;
      configText.textContent = msg.run.config;
      message.textContent = msg.run.message ?? '';
      message.className = msg.run.status === 'failed' ? 'error' : 'muted';
      for (const dir of msg.compare ?? []) if (dir !== view.runDir && !view.overlays.includes(dir)) view.overlays.push(dir);
      persist();
      for (const dir of view.overlays) send({ type: 'requestOverlay', dir });
      renderSamples();
      renderOverlayControls();
      break;
    case 'progress': {
      // a report already read from metrics.jsonl by the init may arrive again: keep steps ascending
      const lastStep = store.metrics[store.metrics.length - 1]?.step ?? -Infinity;
      store.metrics.push(...msg.metrics.filter((p) => p.step > lastStep));
      pushGrads(msg.grads);
      store.live = msg.live;
      break;
    }
    case 'sample':
      store.samples.push({ step: msg.step, text: msg.text });
      renderSamples();
      break;
    case 'status':
      if (store.run) store.run = { ...store.run, status: msg.status };
      message.textContent = msg.message ?? '';
      message.className = msg.status === 'failed' ? 'error' : 'muted';
      break;
    case 'runChoices':
      store.choices = [...msg.runs];
      // an overlay asked for before its run was listed (a pair started together) is asked for again
      for (const c of store.choices) if (view.overlays.includes(c.dir) && !store.overlays.has(c.dir)) send({ type: 'requestOverlay', dir: c.dir });
      renderOverlayControls();
      break;
    case 'overlay':
      if (!view.overlays.includes(msg.run.dir)) break;
      {
        const known = store.overlays.has(msg.run.dir);
        store.overlays.set(msg.run.dir, { run: msg.run, curve: { steps: msg.metrics.map((p) => p.step), loss: msg.metrics.map((p) => p.loss) }, grads: msg.grads });
        if (!known) {   // a new series on the loss chart; a refresh of a known one only needs new data
          renderOverlayControls();
          lossChart.rebuild(lossSpec());
        }
      }
      break;
    default: {
      const never: never = msg;
      throw new Error(`dashboard: unknown message ${JSON.stringify(never)}`);
    }
  }
  scheduleRender();
});

renderSamples();
render();
send({ type: 'ready' });
