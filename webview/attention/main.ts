// The Attention panel (browser side): a seq2seq model's output for the line at the editor's cursor,
// the beam's candidates with scores, and the attention matrix as a heat map, a table of cells with
// source tokens across and output tokens down (row i: where the decoder looked while writing output
// token i; each row sums to 1). Hovering or focusing a cell shows its weight; arrow keys move between
// cells; a text list of each output token's strongest source tokens is the heat map's text alternative.
import type { AttentionToHost, HostToAttention, SourceTranslation, TranslationSetup } from '../../src/protocol/attention';
import { button, el, registerToolkit } from '../shared/toolkit';
import { gridMove } from '../shared/gridKeys';
import { shown } from '../shared/text';
import { onMessage, post } from '../shared/vscode';
import './attention.css';

const send = (m: AttentionToHost) => post(m);
registerToolkit();

/** Source tokens a text row names per output token (the strongest first). */
const TEXT_TOP = 3;

const view = {
  translation: null as SourceTranslation | null,
  focus: { row: 0, col: 0 },
};

// ---- layout -------------------------------------------------------------------------------
const app = document.getElementById('app')!;
const meta = el('p', { id: 'attention-meta', class: 'muted', role: 'status' }, 'Waiting for a line…');
const beamSelect = el('select', { id: 'attention-beam', 'aria-label': 'Beam width' });
const summary = el('section', { id: 'attention-summary', class: 'card' });
const candidates = el('table', { id: 'attention-candidates', 'aria-label': 'Beam candidates, best first' });
const grid = el('table', { id: 'attention-map', role: 'grid', 'aria-label': 'Attention weights: output tokens (rows) by source tokens (columns)' });
const tooltip = el('div', { id: 'attention-tooltip', role: 'tooltip', class: 'tooltip mono', hidden: true });
const readout = el('p', { id: 'attention-readout', class: 'muted mono', 'aria-live': 'polite' });
const legend = el('div', { class: 'legend row', 'aria-hidden': 'true' },
  el('span', { class: 'muted' }, 'weight 0'), el('span', { class: 'legend-bar' }), el('span', { class: 'muted' }, '1'));
const mapSection = el('section', { id: 'attention-map-section' },
  el('h2', {}, 'Where the decoder looked'),
  el('p', { class: 'muted' }, 'Source tokens across, output tokens down; each row sums to 1.'),
  el('div', { class: 'map-scroll' }, grid), legend, readout);
const noAttention = el('p', { id: 'attention-none', class: 'muted', hidden: true },
  'This model has no attention (attention: none): the decoder reads only the encoder\'s final state.');
const textList = el('ol', { id: 'attention-text', class: 'mono' });
const textAlternative = el('details', { id: 'attention-text-section' }, el('summary', {}, 'Attention as text'), textList);
app.append(
  el('h1', {}, 'Attention'),
  el('div', { class: 'row' }, meta, el('label', { for: 'attention-beam' }, 'Beam'), beamSelect,
    button('Refresh', () => send({ type: 'refresh' }), 'secondary', { id: 'attention-refresh' })),
  summary,
  el('section', {}, el('h2', {}, 'Beam candidates'), candidates),
  mapSection, noAttention, textAlternative, tooltip);

beamSelect.addEventListener('change', () => send({ type: 'beam', beam: beamSelect.value === 'model' ? null : Number(beamSelect.value) }));

const fixed = (x: number, digits = 3) => x.toFixed(digits);

function fillBeam(setup: TranslationSetup): void {
  const options = [{ value: 'model', label: `model's (${setup.beam})` }, { value: '1', label: 'greedy' },
    ...[2, 4, 8].map((k) => ({ value: String(k), label: String(k) }))];
  const chosen = beamSelect.value || 'model';
  beamSelect.replaceChildren(...options.map((o) => el('option', { value: o.value }, o.label)));
  beamSelect.value = options.some((o) => o.value === chosen) ? chosen : 'model';
}

function render(document: string, model: string, setup: TranslationSetup, t: SourceTranslation): void {
  view.translation = t;
  view.focus = { row: Math.min(view.focus.row, Math.max(0, t.outputTokens.length - 1)), col: Math.min(view.focus.col, t.sourceTokens.length - 1) };
  meta.textContent = `${document} · line ${t.line} · ${model} · ${setup.info.cell}, ${setup.attention} attention · `
    + `${setup.beam === 1 ? 'greedy' : `beam ${setup.beam}`}, length penalty ${setup.lengthPenalty}`;
  fillBeam(setup);
  const unknown = t.sourceTokens.filter((_, j) => t.sourceUnknown[j]);
  summary.replaceChildren(
    el('div', { class: 'pair' }, el('span', { class: 'muted' }, 'Source'), el('code', { id: 'attention-source' }, t.source)),
    el('div', { class: 'pair' }, el('span', { class: 'muted' }, 'Output'), el('code', { id: 'attention-output', class: 'output' }, t.output)),
    el('p', { class: 'muted stat' }, `log P ${fixed(t.logProb)} · p ${fixed(Math.exp(t.logProb))} · score ${fixed(t.score)}`
      + (t.finished ? '' : ` · cut at ${setup.maxLength} tokens (no <eos>)`)),
    ...(unknown.length ? [el('p', { class: 'warning', id: 'attention-unknown' },
      `⚠ ${[...new Set(unknown)].map((s) => `“${shown(s)}”`).join(', ')} never seen in training: the model read ${unknown.length > 1 ? 'them' : 'it'} as <unk>.`)] : []));
  candidates.replaceChildren(
    el('tr', {}, el('th', {}, '#'), el('th', {}, 'Output'), el('th', {}, 'Score (log P / T^α)'), el('th', {}, 'log P')),
    ...t.candidates.map((c, k) => el('tr', { class: k === 0 ? 'best' : undefined },
      el('td', { class: 'stat' }, String(k + 1)), el('td', { class: 'mono' }, c.output),
      el('td', { class: 'stat' }, fixed(c.score)), el('td', { class: 'stat' }, fixed(c.logProb)))));
  const hasMap = t.attention.length > 0;
  mapSection.hidden = !hasMap;
  noAttention.hidden = hasMap || setup.attention !== 'none';
  renderGrid(t);
  renderText(t);
}

function cellText(t: SourceTranslation, i: number, j: number): string {
  const unk = t.sourceUnknown[j] ? ' (never seen in training: read as <unk>)' : '';
  return `output “${shown(t.outputTokens[i])}” (${i + 1}) ← source “${shown(t.sourceTokens[j])}” (${j + 1})${unk}: ${fixed(t.attention[i][j])}`;
}

function renderGrid(t: SourceTranslation): void {
  if (!t.attention.length) { grid.replaceChildren(); return; }
  const head = el('tr', {}, el('th', { class: 'corner muted', scope: 'col' }, 'out ↓ src →'),
    ...t.sourceTokens.map((s, j) => el('th', {
      scope: 'col', class: `src mono${t.sourceUnknown[j] ? ' unknown' : ''}`,
      title: t.sourceUnknown[j] ? `“${shown(s)}” never seen in training: read as <unk>` : `source token ${j + 1}`,
    }, shown(s))));
  const rows = t.attention.map((row, i) => el('tr', {},
    el('th', { scope: 'row', class: 'out mono' }, shown(t.outputTokens[i])),
    ...row.map((w, j) => {
      const focused = i === view.focus.row && j === view.focus.col;
      const cell = el('td', {
        class: 'cell', role: 'gridcell', tabindex: focused ? 0 : -1, 'data-row': i, 'data-col': j,
        'aria-label': cellText(t, i, j),
      });
      cell.style.setProperty('--w', w.toFixed(4));
      return cell;
    })));
  grid.style.setProperty('--cols', String(t.sourceTokens.length));
  grid.replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows));
}

function renderText(t: SourceTranslation): void {
  textList.replaceChildren(...t.attention.map((row, i) => {
    const top = row.map((w, j) => ({ w, j })).sort((a, b) => b.w - a.w).slice(0, TEXT_TOP);
    return el('li', {}, `“${shown(t.outputTokens[i])}” ← ${top.map(({ w, j }) => `“${shown(t.sourceTokens[j])}”${t.sourceUnknown[j] ? ' <unk>' : ''} ${fixed(w, 2)}`).join(', ')}`);
  }));
}

// ---- hover and keyboard -----------------------------------------------------------------------
function cellOf(target: EventTarget | null): HTMLElement | null {
  return target instanceof HTMLElement ? target.closest<HTMLElement>('td.cell') : null;
}

function describe(cell: HTMLElement, pinned: boolean): void {
  const t = view.translation;
  if (!t) return;
  const i = Number(cell.dataset.row), j = Number(cell.dataset.col);
  const text = cellText(t, i, j);
  tooltip.textContent = text;
  tooltip.hidden = false;
  // Under the map, at the cell's column: it never covers the weights it explains.
  const box = cell.getBoundingClientRect(), map = grid.getBoundingClientRect();
  tooltip.style.left = `${Math.max(4, Math.min(window.innerWidth - tooltip.offsetWidth - 4, box.left + window.scrollX - 8))}px`;
  tooltip.style.top = `${map.bottom + window.scrollY + 4}px`;
  if (pinned) readout.textContent = text;
  grid.querySelectorAll('.hl').forEach((n) => n.classList.remove('hl'));
  grid.querySelector(`thead th:nth-child(${j + 2})`)?.classList.add('hl');
  grid.querySelector(`tbody tr:nth-child(${i + 1}) th`)?.classList.add('hl');
}

grid.addEventListener('mouseover', (e) => { const cell = cellOf(e.target); if (cell) describe(cell, false); });
grid.addEventListener('mouseleave', () => {
  tooltip.hidden = true;
  grid.querySelectorAll('.hl').forEach((n) => n.classList.remove('hl'));
});
grid.addEventListener('focusin', (e) => { const cell = cellOf(e.target); if (cell) describe(cell, true); });
grid.addEventListener('focusout', () => { tooltip.hidden = true; });
grid.addEventListener('keydown', (e) => {
  const t = view.translation;
  const cell = cellOf(e.target);
  if (!t || !cell) return;
  const to = gridMove(e.key, Number(cell.dataset.row), Number(cell.dataset.col), t.attention.length, t.sourceTokens.length);
  if (!to) return;
  const [i, j] = to;
  e.preventDefault();
  const next = grid.querySelector<HTMLElement>(`td.cell[data-row="${i}"][data-col="${j}"]`);
  if (!next) return;
  cell.tabIndex = -1;
  next.tabIndex = 0;
  view.focus = { row: i, col: j };
  next.focus();
});

// ---- messages -----------------------------------------------------------------------------------
function clearTranslation(): void {
  view.translation = null;
  summary.replaceChildren();
  candidates.replaceChildren();
  grid.replaceChildren();
  textList.replaceChildren();
  readout.textContent = '';
  tooltip.hidden = true;
  mapSection.hidden = true;
  noAttention.hidden = true;
}

onMessage<HostToAttention>((m) => {
  switch (m.type) {
    case 'busy':
      meta.textContent = `Translating line ${m.line} of ${m.document} with ${m.model}…`;
      break;
    case 'show':
      render(m.document, m.model, m.setup, m.translation);
      break;
    case 'empty':
      clearTranslation();
      meta.textContent = `${m.document} · line ${m.line} is blank · ${m.model}: put the cursor on a line with a source.`;
      break;
    case 'error':
      clearTranslation();
      meta.textContent = '';
      summary.replaceChildren(el('p', { class: 'error', role: 'alert' }, m.message));
      break;
    default: {
      const never: never = m;
      throw new Error(`attention: unknown message ${JSON.stringify(never)}`);
    }
  }
});

clearTranslation();
send({ type: 'ready' });
