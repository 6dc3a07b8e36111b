// The Predictions panel (browser side): the tokens of a document coloured by the probability the model
// gave them, the top-k predictions of a chosen token, and an LSTMVis-style heat map of hidden states,
// cells and gates (units × tokens). Clicking a token reveals it in the editor.
import type { HostToPredictions, LayerTrace, PredictedToken, PredictionResult, PredictionsToHost } from '../../src/protocol/predictions';
import { button, el, registerToolkit } from '../shared/toolkit';
import { shown } from '../shared/text';
import { onMessage, post } from '../shared/vscode';
import './predictions.css';

const send = (m: PredictionsToHost) => post(m);
registerToolkit();

const CELL_W = 14;   // px per token column of the heat map
const CELL_H = 5;    // px per unit row
const HEADER_H = 16; // px of token text above the columns
const GUTTER_W = 34; // px of unit indices left of the rows
const UNIT_LABEL_EVERY = 8;   // a unit index every 8 rows (40 px apart)

const view = {
  result: null as PredictionResult | null,
  selected: 0,
  layer: 0,
  series: 'hidden',      // hidden | cell | gate:<name>
};

// ---- layout -------------------------------------------------------------------------------
const app = document.getElementById('app')!;
const heading = el('h1', {}, 'Token predictions');
const meta = el('p', { id: 'predictions-meta', class: 'muted', role: 'status' }, 'Waiting for a document…');
const strip = el('div', { id: 'token-strip', class: 'token-strip mono', role: 'listbox', 'aria-label': 'Tokens' });
const details = el('section', { id: 'token-details', class: 'card details' });
const layerSelect = el('select', { id: 'heat-layer', 'aria-label': 'Layer' });
const seriesSelect = el('select', { id: 'heat-series', 'aria-label': 'Activation' });
const heatInfo = el('span', { id: 'heat-info', class: 'muted' });
// Colour legends: what the token tint and the heat map's colours mean (filled in by render and drawHeat).
const tokenLegendText = el('span', { class: 'muted' });
const tokenLegend = el('div', { class: 'row legend', id: 'token-legend' },
  el('span', { class: 'muted' }, 'tint:'), el('span', { class: 'mono' }, '0%'), el('span', { class: 'ramp ramp-token' }), el('span', { class: 'mono' }, '100%'),
  tokenLegendText, el('span', { class: 'tok unknown legend-unknown' }, 'abc'), el('span', { class: 'muted' }, 'not in the vocabulary (<unk>)'));
const heatLegendLo = el('span', { class: 'mono' }), heatLegendHi = el('span', { class: 'mono' });
const heatRamp = el('span', { class: 'ramp' });
const heatLegend = el('div', { class: 'row legend', id: 'heat-legend' }, el('span', { class: 'muted' }, 'colour:'), heatLegendLo, heatRamp, heatLegendHi,
  el('span', { class: 'muted' }, 'rows: unit index (left), columns: tokens (top)'));
const canvas = el('canvas', { id: 'heat-map', role: 'img', 'aria-label': 'Activations over tokens' });
const heatScroll = el('div', { class: 'heat-scroll' }, canvas);
const heatSection = el('section', { id: 'heat-section' },
  el('h2', {}, 'Activations'),
  el('div', { class: 'row' }, el('label', { for: 'heat-layer' }, 'Layer'), layerSelect,
    el('label', { for: 'heat-series' }, 'Show'), seriesSelect, heatInfo),
  heatLegend, heatScroll);
const table = el('table', { id: 'predictions-table' });
app.append(heading, el('div', { class: 'row' }, meta, button('Refresh', () => send({ type: 'refresh' }), 'secondary', { id: 'refresh' })),
  tokenLegend, strip, details, heatSection, el('details', {}, el('summary', {}, 'All tokens'), table));

layerSelect.addEventListener('change', () => { view.layer = Number(layerSelect.value); fillSeries(); drawHeat(); });
seriesSelect.addEventListener('change', () => { view.series = seriesSelect.value; drawHeat(); });

const percent = (p: number) => `${(p * 100).toFixed(p >= 0.1 ? 0 : 1)}%`;

function render(result: PredictionResult, documentName: string, model: string, selection: boolean): void {
  view.result = result;
  view.selected = Math.min(view.selected, Math.max(0, result.tokens.length - 1));
  const { info } = result;
  tokenLegendText.textContent = info.task === 'lm'
    ? 'how surprising each token was: 1 − p(token), the probability the model gave it'
    : `how sure the model is of each ${info.task === 'classify' ? 'line' : 'token'}'s label: p(label)`;
  meta.textContent = `${documentName}${selection ? ' (selection)' : ''} · ${model} · ${info.task} ${info.cell} · ${result.tokens.length} `
    + `${info.task === 'classify' ? 'lines' : 'tokens'}${result.truncated ? ' (first ones only)' : ''}`;
  strip.replaceChildren(...result.tokens.flatMap((t, i) => {
    const span = el('span', {
      class: `tok${t.unknown ? ' unknown' : ''}`, role: 'option', tabindex: i === view.selected ? 0 : -1, 'data-index': i,
      title: tokenTitle(t, info.task),
    }, info.task === 'classify' ? t.token : shown(t.token));
    span.style.setProperty('--p', String(info.task === 'lm' ? 1 - t.p : t.p));
    span.addEventListener('click', () => select(i, true));
    span.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(i, true); }
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') { e.preventDefault(); select(Math.max(0, Math.min(result.tokens.length - 1, i + (e.key === 'ArrowRight' ? 1 : -1))), false, true); }
    });
    return t.token === '⏎' || info.task === 'classify' ? [span, el('br')] : [span];
  }));
  table.replaceChildren(
    el('tr', {}, el('th', {}, 'Token'), el('th', {}, info.task === 'lm' ? 'p(token)' : 'Label'), el('th', {}, 'Top predictions')),
    ...result.tokens.map((t, i) => {
      const row = el('tr', { 'data-index': i },
        el('td', { class: 'mono' }, shown(t.token)),
        el('td', {}, info.task === 'lm' ? percent(t.p) : `${t.label} ${percent(t.p)}`),
        el('td', { class: 'mono' }, t.top.map((a) => `${shown(a.token)} ${percent(a.p)}`).join('  ')));
      row.addEventListener('click', () => select(i, true));
      return row;
    }));
  layerSelect.replaceChildren(...(result.layers ?? []).map((l) => el('option', { value: l.layer }, `${l.layer + 1}`)));
  heatSection.hidden = !result.layers?.length;
  if (result.layers?.length) {
    view.layer = Math.min(view.layer, result.layers.length - 1);
    layerSelect.value = String(view.layer);
    fillSeries();
  }
  select(view.selected, false);
  drawHeat();
}

function tokenTitle(t: PredictedToken, task: string): string {
  const head = task === 'lm' ? `p ${percent(t.p)}` : `${t.label} ${percent(t.p)}`;
  return `${head}${t.unknown ? ' · not in the vocabulary (<unk>)' : ''}\n${t.top.map((a) => `${shown(a.token)} ${percent(a.p)}`).join('\n')}`;
}

function select(i: number, reveal: boolean, focus = false): void {
  const result = view.result;
  if (!result || !result.tokens[i]) { details.replaceChildren(); return; }
  view.selected = i;
  strip.querySelectorAll('.tok.selected').forEach((s) => { s.classList.remove('selected'); s.setAttribute('tabindex', '-1'); s.setAttribute('aria-selected', 'false'); });
  const span = strip.querySelector<HTMLElement>(`.tok[data-index="${i}"]`);
  if (span) {
    span.classList.add('selected');
    span.setAttribute('tabindex', '0');
    span.setAttribute('aria-selected', 'true');
    if (focus) span.focus();
  }
  const t = result.tokens[i];
  const lm = result.info.task === 'lm';
  details.replaceChildren(
    el('h2', {}, `${lm ? 'Token' : result.info.task === 'classify' ? 'Line' : 'Token'} `, el('code', {}, shown(t.token))),
    el('p', { class: 'muted' }, lm
      ? `p(token | text before) = ${percent(t.p)}, surprisal ${(-Math.log(t.p)).toFixed(2)} nats`
      : `predicted ${t.label} with p ${percent(t.p)}`),
    ...(t.unknown ? [el('p', { class: 'warning' }, 'Not in the model\'s vocabulary: the model read it as <unk>.')] : []),
    el('h3', {}, lm ? 'What the model expected here' : 'Label probabilities'),
    el('div', { class: 'bars' }, ...t.top.map((a) => {
      const bar = el('span', { class: 'bar' });
      bar.style.width = `${Math.max(1, a.p * 100)}%`;
      return el('div', { class: `bar-row${a.token === t.token || a.token === t.label ? ' actual' : ''}` },
        el('code', {}, shown(a.token)), el('span', { class: 'bar-track' }, bar), el('span', { class: 'stat' }, percent(a.p)));
    })));
  if (reveal) send({ type: 'reveal', start: t.start, end: t.end });
  drawHeat();
}

function fillSeries(): void {
  const layer = view.result?.layers?.[view.layer];
  if (!layer) return;
  const options = [{ value: 'hidden', label: 'hidden state a<t>' }];
  if (layer.cell) options.push({ value: 'cell', label: 'cell c<t>' });
  for (const g of layer.gates) options.push({ value: `gate:${g}`, label: `gate ${g}` });
  seriesSelect.replaceChildren(...options.map((o) => el('option', { value: o.value }, o.label)));
  if (!options.some((o) => o.value === view.series)) view.series = 'hidden';
  seriesSelect.value = view.series;
}

/** Rows (tokens) × columns (units) of the chosen series, and whether it is a gate in [0, 1]. */
function seriesOf(layer: LayerTrace): { rows: readonly (readonly number[])[]; width: number; gate: boolean } {
  if (view.series === 'cell' && layer.cell) return { rows: layer.cell, width: layer.D * layer.H, gate: false };
  if (view.series.startsWith('gate:')) {
    const g = layer.gates.indexOf(view.series.slice(5));
    const G = layer.gates.length, H = layer.H;
    // gateValues rows are (D, G*H): pick gate g of each direction.
    const rows = layer.gateValues.map((r) => Array.from({ length: layer.D * H }, (_, j) => r[Math.floor(j / H) * G * H + g * H + (j % H)]));
    const name = layer.gates[g];
    return { rows, width: layer.D * H, gate: name !== 'c' && name !== 'h' && name !== 'a' };
  }
  return { rows: layer.hidden, width: layer.D * layer.H, gate: false };
}

function themeRgb(variable: string, fallback: [number, number, number]): [number, number, number] {
  const probe = document.createElement('span');
  probe.style.color = `var(${variable})`;
  document.body.append(probe);
  const m = getComputedStyle(probe).color.match(/\d+(\.\d+)?/g);
  probe.remove();
  return m && m.length >= 3 ? [Number(m[0]), Number(m[1]), Number(m[2])] : fallback;
}

function drawHeat(): void {
  const layer = view.result?.layers?.[view.layer];
  if (!layer) return;
  const { rows, width, gate } = seriesOf(layer);
  const T = rows.length;
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.max(1, (GUTTER_W + T * CELL_W) * dpr);
  canvas.height = Math.max(1, (HEADER_H + width * CELL_H) * dpr);
  canvas.style.width = `${GUTTER_W + T * CELL_W}px`;
  canvas.style.height = `${HEADER_H + width * CELL_H}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.scale(dpr, dpr);
  const positive = themeRgb('--vscode-charts-red', [220, 80, 60]);
  const negative = themeRgb('--vscode-charts-blue', [60, 120, 220]);
  let max = 1e-6;
  if (!gate) for (const r of rows) for (const v of r) max = Math.max(max, Math.abs(v));
  // The tokens along the top, a character or two each (the strip above and the tooltips show them whole).
  const style = getComputedStyle(document.body);
  ctx.fillStyle = style.color;
  ctx.font = `11px ${style.getPropertyValue('--vscode-editor-font-family') || 'monospace'}`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  view.result!.tokens.slice(0, T).forEach((tok, t) => ctx.fillText([...shown(tok.token)][0] ?? '', GUTTER_W + t * CELL_W + CELL_W / 2, HEADER_H / 2));
  ctx.translate(0, HEADER_H);
  // Unit indices down the left: every 8th unit, and each direction's first (→ forward, ← backward).
  ctx.textAlign = 'right';
  ctx.font = `9px ${style.getPropertyValue('--vscode-editor-font-family') || 'monospace'}`;
  for (let u = 0; u < width; u++) {
    const k = u % layer.H;
    if (k % UNIT_LABEL_EVERY !== 0) continue;
    const arrow = layer.D > 1 && k === 0 ? (u < layer.H ? '→' : '←') : '';
    ctx.fillText(`${arrow}${k}`, GUTTER_W - 3, u * CELL_H + CELL_H / 2);
  }
  ctx.translate(GUTTER_W, 0);
  for (let t = 0; t < T; t++) {
    for (let u = 0; u < width; u++) {
      const v = rows[t][u];
      const strength = gate ? v : Math.abs(v) / max;
      const [r, g, b] = gate || v >= 0 ? positive : negative;
      ctx.fillStyle = `rgba(${r}, ${g}, ${b}, ${Math.min(1, Math.max(0, strength)).toFixed(3)})`;
      ctx.fillRect(t * CELL_W, u * CELL_H, CELL_W - 1, CELL_H);
    }
  }
  ctx.strokeStyle = themeRgb('--vscode-focusBorder', [0, 120, 212]).join(',').replace(/^/, 'rgb(').concat(')');
  ctx.lineWidth = 2;
  ctx.strokeRect(view.selected * CELL_W + 1, 1 - HEADER_H, CELL_W - 2, HEADER_H + width * CELL_H - 2);
  heatInfo.textContent = `${width} units × ${T} tokens · ${gate ? 'gate value 0 → 1' : `blue < 0 < red, |max| ${max.toFixed(2)}`}`;
  heatRamp.className = gate ? 'ramp ramp-gate' : 'ramp ramp-signed';
  heatLegendLo.textContent = gate ? '0' : `−${max.toFixed(2)}`;
  heatLegendHi.textContent = gate ? '1' : `+${max.toFixed(2)}`;
  canvas.setAttribute('aria-label', `Heat map of ${seriesSelect.selectedOptions[0]?.textContent ?? 'activations'}, layer ${view.layer + 1}: ` +
    `${width} units (rows, index at the left) × ${T} tokens (columns); ${gate ? 'transparent = 0, red = 1' : `blue = negative, red = positive, largest |value| ${max.toFixed(2)}`}.`);
}

canvas.addEventListener('click', (e) => {
  const rect = canvas.getBoundingClientRect();
  const t = Math.floor((e.clientX - rect.left - GUTTER_W) / CELL_W);
  if (t >= 0 && view.result?.tokens[t]) select(t, true);
});
canvas.addEventListener('mousemove', (e) => {
  const layer = view.result?.layers?.[view.layer];
  if (!layer) return;
  const rect = canvas.getBoundingClientRect();
  const t = Math.floor((e.clientX - rect.left - GUTTER_W) / CELL_W), u = Math.floor((e.clientY - rect.top - HEADER_H) / CELL_H);
  const { rows } = seriesOf(layer);
  const token = view.result?.tokens[t];
  if (token && rows[t]?.[u] !== undefined) canvas.title = `${shown(token.token)} · unit ${u % layer.H}${layer.D > 1 ? (u < layer.H ? ' →' : ' ←') : ''} · ${rows[t][u]}`;
});

onMessage<HostToPredictions>((m) => {
  switch (m.type) {
    case 'busy':
      meta.textContent = `Running ${m.model} over ${m.document}…`;
      break;
    case 'show':
      render(m.result, m.document, m.model, m.selection);
      break;
    case 'error':
      meta.textContent = '';
      details.replaceChildren(el('p', { class: 'error', role: 'alert' }, m.message));
      break;
    default: {
      const never: never = m;
      throw new Error(`predictions: unknown message ${JSON.stringify(never)}`);
    }
  }
});

send({ type: 'ready' });
