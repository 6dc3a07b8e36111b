// The training dashboard (browser side): loss curves with smoothing, log axis and overlaid runs,
// the ‖∂L/∂a<t>‖ picture over BPTT time steps, learning rate, tokens/s, ETA, config and samples;
// a seq2seq run's validation exact match and BLEU beside its loss.
// Receives HostToDashboard messages, sends DashboardToHost; keeps every point, draws a decimated view.
import type {
  DashboardRun, DashboardState, DashboardToHost, GradWindow, HostToDashboard, LiveFigures, MetricPoint, RunChoice,
} from '../../src/protocol/dashboard';
import { button, checkbox, el, initialState, registerToolkit } from '../shared/toolkit';
import { onMessage, post, vscodeApi } from '../shared/vscode';
import { Chart, type ChartSpec } from './chart';
import { drawHeatStrip } from './heatStrip';
import { alignByStep, decimateMinMax, formatDuration, smoothEma } from './series';
import { onThemeChange, readTheme, type ChartTheme } from './theme';
import 'uplot/dist/uPlot.min.css';
import './dashboard.css';

const gradWindowsKept = 120;    // rows of the heat strip
const gradWindowsFaded = 5;     // latest windows drawn as lines, older ones fainter

interface Curve { readonly steps: number[]; readonly loss: number[] }

const store = {
  run: undefined as DashboardRun | undefined,
  metrics: [] as MetricPoint[],
  grads: [] as GradWindow[],
  samples: [] as { step: number; text: string }[],
  live: undefined as LiveFigures | undefined,
  choices: [] as RunChoice[],
  overlays: new Map<string, { run: RunChoice; curve: Curve }>(),
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

function stat(id: string, label: string): HTMLElement {
  return el('div', { class: 'card stat' }, el('div', { class: 'muted' }, label), el('div', { class: 'value', id }, '–'));
}
const stats = el('div', { class: 'stats' },
  stat('stat-step', 'Step'), stat('stat-loss', 'Loss (smoothed)'), stat('stat-first-loss', 'First loss'),
  stat('stat-val-loss', 'Best validation loss'), stat('stat-tps', 'Tokens/s'), stat('stat-eta', 'ETA'),
  stat('stat-lr', 'Learning rate'), stat('stat-clip', 'Clipped steps'));
// seq2seq: the latest evaluation's exact match and BLEU (metrics.jsonl's valExactMatch, valBleu).
const seq2seqStats = [stat('stat-exact', 'Exact match (validation)'), stat('stat-bleu', 'BLEU (validation)')];
stats.append(...seq2seqStats);

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

const lossHost = el('div', { class: 'chart', id: 'loss-chart' });
const gradLinesHost = el('div', { class: 'chart', id: 'grad-chart' });
const heatCanvas = el('canvas', { class: 'heat', id: 'grad-heat', role: 'img', 'aria-label': 'Gradient norm over time steps, one row per window' });
const heatCaption = el('p', { class: 'muted' });
const gradNormHost = el('div', { class: 'chart' });
const qualityHost = el('div', { class: 'chart', id: 'quality-chart' });
const lrHost = el('div', { class: 'chart' });
const tpsHost = el('div', { class: 'chart' });
const samplesList = el('div', { id: 'samples' });
const configText = el('pre', { id: 'config', tabindex: 0 });

app.append(
  el('div', { class: 'row' }, title, statusTag, stopButton, resumeButton, configButton),
  message,
  stats,
  el('section', { class: 'card' },
    el('h2', {}, 'Loss'),
    el('div', { class: 'row' },
      el('label', { for: 'smoothing' }, 'Smoothing'), smoothingSlider, smoothingValue, logToggle,
      el('label', { for: 'overlay-picker' }, 'Compare with'), overlayPicker, overlayChips),
    lossHost),
  el('section', { class: 'card', id: 'quality-card' },
    el('h2', {}, 'Exact match and BLEU (validation)'),
    el('p', { class: 'muted' }, 'At each evaluation: the share of outputs equal to their target, and corpus BLEU-4 over target tokens.'),
    qualityHost),
  el('section', { class: 'card', id: 'grad-card' },
    el('h2', {}, 'Gradient through time ‖∂L/∂a⟨t⟩‖'),
    el('p', { class: 'muted' }, 'Latest BPTT windows, newest brightest: a curve falling towards t = 1 is a vanishing gradient.'),
    gradLinesHost, heatCanvas, heatCaption,
    el('h3', {}, 'Global gradient norm (before clipping)'), gradNormHost),
  el('div', { class: 'pair' },
    el('section', { class: 'card' }, el('h2', {}, 'Learning rate'), lrHost),
    el('section', { class: 'card' }, el('h2', { id: 'tps-title' }, 'Tokens per second'), tpsHost)),
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
const gradLinesSpec = (): ChartSpec => ({
  xLabel: 't (time step in window)', yLabel: '‖∂L/∂a⟨t⟩‖', logY: true, height: 200,
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

const lossChart = new Chart(lossHost, lossSpec(), theme);
const gradLinesChart = new Chart(gradLinesHost, gradLinesSpec(), theme);
const gradNormChart = new Chart(gradNormHost, gradNormSpec(), theme);
const qualityChart = new Chart(qualityHost, qualitySpec(), theme);
const lrChart = new Chart(lrHost, lrSpec(), theme);
const tpsChart = new Chart(tpsHost, tpsSpec(), theme);

onThemeChange(() => {
  theme = readTheme();
  lossChart.rebuild(lossSpec(), theme);
  gradLinesChart.rebuild(gradLinesSpec(), theme);
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
  const vals = m.map((p) => p.valLoss).filter((v): v is number => v !== undefined && Number.isFinite(v));
  setText('stat-val-loss', vals.length ? fmt(Math.min(...vals)) : '–');
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

const percent = (share: number | undefined) => (share === undefined || !Number.isFinite(share) ? '–' : `${(100 * share).toFixed(1)}%`);

/** seq2seq: one point per evaluation (a few per run, so no decimation), in percent. */
function renderQuality(): void {
  const evaluated = store.metrics.filter((p) => p.valExactMatch !== undefined || p.valBleu !== undefined);
  const pct = (share: number | undefined) => (share === undefined ? null : 100 * share);
  qualityChart.setData([evaluated.map((p) => p.step), evaluated.map((p) => pct(p.valExactMatch)), evaluated.map((p) => pct(p.valBleu))]);
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
}

function renderGradients(): void {
  const latest = store.grads.slice(-gradWindowsFaded);
  const T = Math.max(0, ...latest.map((w) => w.norms.length));
  const ts = Array.from({ length: T }, (_, t) => t + 1);
  const lines = Array.from({ length: gradWindowsFaded }, (_, i) => {
    const w = latest[i - (gradWindowsFaded - latest.length)];
    return ts.map((_, t) => (w && w.norms[t] > 0 ? w.norms[t] : null));
  });
  gradLinesChart.setData([ts, ...lines]);
  const area = gradLinesChart.plotArea();   // the strip's columns sit under the chart's t axis
  if (area) {
    heatCanvas.style.marginLeft = `${area.left}px`;
    heatCanvas.style.width = `${area.width}px`;
  }
  drawHeatStrip(heatCanvas, store.grads, theme);
  const first = store.grads[0], last = store.grads[store.grads.length - 1];
  const clipped = store.grads.filter((w) => w.clipped).length;
  heatCaption.textContent = first
    ? `Rows: ${store.grads.length} windows, step ${first.step} (top) to ${last.step} (bottom); ` +
      `brighter = larger gradient; ${clipped} clipped (marked at the left edge).`
    : 'No gradient windows yet: they arrive while the run trains.';

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
}

function renderRates(): void {
  const m = store.metrics;
  const lr = m.map((p) => p.lr ?? null), tps = m.map((p) => p.tokensPerSec ?? null);
  const li = decimateMinMax(lr, columns());
  lrChart.setData([li.map((i) => m[i].step), li.map((i) => lr[i])]);
  const ti = decimateMinMax(tps, columns());
  tpsChart.setData([ti.map((i) => m[i].step), ti.map((i) => tps[i])]);
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
      persist();
      renderOverlayControls();
      lossChart.rebuild(lossSpec());
      scheduleRender();
    }, 'secondary', { 'aria-label': `Remove overlay ${run.id}` })));
}

// ---- messages -----------------------------------------------------------------------------
function pushGrads(windows: readonly GradWindow[]): void {
  store.grads.push(...windows);
  if (store.grads.length > gradWindowsKept) store.grads.splice(0, store.grads.length - gradWindowsKept);
}

onMessage<HostToDashboard>((msg) => {
  switch (msg.type) {
    case 'init':
      store.run = msg.run;
      store.metrics = [...msg.metrics];
      store.grads = [];
      pushGrads(msg.grads);
      store.samples = [...msg.samples];
      store.live = msg.live;
      view.runDir = msg.run.dir;
      configText.textContent = msg.run.config;
      message.textContent = msg.run.message ?? '';
      message.className = msg.run.status === 'failed' ? 'error' : 'muted';
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
      renderOverlayControls();
      break;
    case 'overlay':
      if (!view.overlays.includes(msg.run.dir)) break;
      store.overlays.set(msg.run.dir, { run: msg.run, curve: { steps: msg.metrics.map((p) => p.step), loss: msg.metrics.map((p) => p.loss) } });
      renderOverlayControls();
      lossChart.rebuild(lossSpec());
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
