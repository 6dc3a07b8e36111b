// The Evaluation panel (browser side): a model's figures on a labelled file, as `rnn-lab eval` gives
// them. lm: loss, perplexity, bits per token; tag / classify: loss, accuracy, macro F1, a per-label
// table and the confusion matrix as a heat map (a table: each cell's count is its text, the tint its
// share of the row, arrow keys move between cells and a status line reads the focused one out);
// seq2seq: loss, exact match, BLEU. While an evaluation runs, its progress.
import type {
  ClassEvalReport, EvalProgress, EvalReport, EvaluationToHost, EvaluationView, HostToEvaluation,
} from '../../src/protocol/evaluation';
import { button, el, registerToolkit } from '../shared/toolkit';
import { gridMove } from '../shared/gridKeys';
import { onMessage, post } from '../shared/vscode';
import './evaluation.css';

const send = (m: EvaluationToHost) => post(m);
registerToolkit();

const app = document.getElementById('app')!;
const heading = el('h1', {}, 'Evaluation');
const meta = el('p', { id: 'evaluation-meta', class: 'muted', role: 'status' }, 'Waiting for an evaluation…');
const bar = el('progress', { id: 'evaluation-progress', max: 1, value: 0, 'aria-label': 'Evaluation progress' });
const stats = el('div', { class: 'stats', id: 'evaluation-stats' });
const savedLine = el('p', { class: 'row', id: 'evaluation-saved' });
const details = el('div', { id: 'evaluation-details' });
app.append(heading, meta, bar, stats, savedLine, details);
bar.hidden = true;

const fixed = (x: number, digits = 4) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));
const percent = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : String(x));

function stat(label: string, value: string, hint?: string): HTMLElement {
  return el('div', { class: 'card stat', title: hint }, el('div', { class: 'muted' }, label), el('div', { class: 'value' }, value));
}

function statsOf(r: EvalReport): HTMLElement[] {
  switch (r.task) {
    case 'lm':
      return [
        stat('Loss', `${fixed(r.loss)} nats/token`, 'mean cross-entropy per predicted token'),
        stat('Perplexity', fixed(r.perplexity, 3), 'exp(loss): as unsure as a fair choice among this many tokens'),
        stat('Bits per token', fixed(r.bitsPerToken, 3), 'loss / ln 2'),
        stat('Tokens', r.tokens.toLocaleString('en-US')),
      ];
    case 'tag':
    case 'classify':
      return [
        stat('Loss', fixed(r.loss), 'mean cross-entropy per ' + (r.task === 'tag' ? 'token' : 'line')),
        stat('Accuracy', percent(r.accuracy)),
        stat('Macro F1', fixed(r.macroF1), 'the mean of the labels\' F1, each label counting the same'),
        stat(r.task === 'tag' ? 'Tokens' : 'Lines', total(r).toLocaleString('en-US')),
      ];
    case 'seq2seq':
      return [
        stat('Loss', `${fixed(r.loss)} nats/token`, 'teacher-forced cross-entropy per target token'),
        stat('Exact match', percent(r.exactMatch), 'outputs equal to their target'),
        stat('BLEU', fixed(r.bleu), 'corpus BLEU-4 over target tokens, 0..1'),
      ];
  }
}

const total = (r: ClassEvalReport) => r.confusion.matrix.reduce((a, row) => a + row.reduce((x, n) => x + n, 0), 0);

function labelTable(r: ClassEvalReport): HTMLElement {
  const head = el('tr', {}, ...['Label', 'Precision', 'Recall', 'F1', 'Support'].map((h) => el('th', { scope: 'col' }, h)));
  const rows = r.confusion.labels.map((label) => {
    const s = r.labels[label];
    return el('tr', {}, el('th', { scope: 'row', class: 'mono' }, label),
      ...[fixed(s.precision), fixed(s.recall), fixed(s.f1), String(s.support)].map((v) => el('td', { class: 'num' }, v)));
  });
  return el('table', { id: 'label-scores' }, el('caption', {}, 'Per label'), el('thead', {}, head), el('tbody', {}, ...rows));
}

/** The most frequent confusion (true ≠ predicted), for the matrix's caption. */
function worstConfusion(r: ClassEvalReport): string {
  let best: [number, number, number] | undefined;
  r.confusion.matrix.forEach((row, i) => row.forEach((n, j) => { if (i !== j && n > 0 && (!best || n > best[2])) best = [i, j, n]; }));
  if (!best) return 'No confusions: every prediction is right.';
  const [i, j, n] = best;
  return `Most often confused: true ${r.confusion.labels[i]} predicted as ${r.confusion.labels[j]}, ${n} time${n === 1 ? '' : 's'}.`;
}

function confusionGrid(r: ClassEvalReport): HTMLElement {
  const { labels, matrix } = r.confusion;
  const readout = el('p', { id: 'confusion-readout', class: 'muted', 'aria-live': 'polite' }, 'Focus a cell (arrow keys move) to read it out.');
  const cells: HTMLElement[][] = [];
  const describe = (i: number, j: number) => {
    const rowTotal = matrix[i].reduce((a, n) => a + n, 0);
    const n = matrix[i][j];
    return `true ${labels[i]}, predicted ${labels[j]}: ${n}${rowTotal ? ` (${percent(n / rowTotal)} of ${labels[i]})` : ''}`;
  };
  const focus = (i: number, j: number) => {
    const cell = cells[i]?.[j];
    if (!cell) return;
    for (const row of cells) for (const c of row) c.tabIndex = -1;
    cell.tabIndex = 0;
    cell.focus();
  };
  const head = el('tr', {}, el('th', { scope: 'col', class: 'corner' }, 'true \\ predicted'),
    ...labels.map((l) => el('th', { scope: 'col', class: 'mono' }, l)));
  const rows = matrix.map((row, i) => {
    const rowTotal = row.reduce((a, n) => a + n, 0);
    const tds = row.map((n, j) => {
      const share = rowTotal ? n / rowTotal : 0;
      const td = el('td', {
        class: `heat num${i === j ? ' diagonal' : ''}`, role: 'gridcell', tabindex: i === 0 && j === 0 ? 0 : -1,
        'aria-label': describe(i, j), title: describe(i, j), 'data-row': i, 'data-col': j,
      }, String(n));
      td.style.setProperty('--share', share.toFixed(3));
      td.addEventListener('focus', () => { readout.textContent = describe(i, j); });
      td.addEventListener('keydown', (e) => {
        const to = gridMove(e.key, i, j, labels.length, labels.length);
        if (!to) return;
        e.preventDefault();
        focus(to[0], to[1]);
      });
      return td;
    });
    cells.push(tds);
    return el('tr', {}, el('th', { scope: 'row', class: 'mono' }, labels[i]), ...tds);
  });
  const summary = el('p', { id: 'confusion-summary', class: 'muted' }, 'A row per true label, a column per predicted one; '
    + `a cell's tint is its share of the row (blue: right, red: confused). ${worstConfusion(r)}`);
  const table = el('table', { id: 'confusion', role: 'grid', 'aria-describedby': 'confusion-summary' },
    el('caption', {}, 'Confusion matrix, true label × predicted label'), el('thead', {}, head), el('tbody', {}, ...rows));
  return el('section', { class: 'card' }, el('h2', {}, 'Confusion matrix'), summary, el('div', { class: 'scroll' }, table), readout);
}

function render(view: EvaluationView): void {
  const { report } = view;
  bar.hidden = true;
  meta.textContent = `${view.model} on ${view.file} · ${report.task}${view.step !== undefined ? ` · weights from step ${view.step}` : ''}`;
  stats.replaceChildren(...statsOf(report));
  savedLine.replaceChildren(el('span', { class: 'muted' }, `Saved as ${view.saved}`),
    button('Open Report', () => send({ type: 'openReport' }), 'secondary', { id: 'open-report' }));
  details.replaceChildren(...(report.task === 'tag' || report.task === 'classify'
    ? [el('section', { class: 'card' }, labelTable(report)), confusionGrid(report)] : []));
}

function running(model: string, file: string, progress?: EvalProgress): void {
  const share = progress && progress.total > 0 ? Math.min(1, progress.done / progress.total) : 0;
  meta.textContent = `Evaluating ${model} on ${file}… ${Math.round(share * 100)}%`;
  bar.hidden = false;
  bar.value = share;
  if (!progress) { stats.replaceChildren(); savedLine.replaceChildren(); details.replaceChildren(); }
}

onMessage<HostToEvaluation>((m) => {
  switch (m.type) {
    case 'running':
      running(m.model, m.file, m.progress);
      break;
    case 'result':
      render(m.view);
      break;
    case 'cancelled':
      bar.hidden = true;
      meta.textContent = `Evaluation of ${m.model} on ${m.file} cancelled.`;
      break;
    case 'error':
      bar.hidden = true;
      meta.textContent = '';
      details.replaceChildren(el('p', { class: 'error', role: 'alert' }, m.message));
      break;
    default: {
      const never: never = m;
      throw new Error(`evaluation: unknown message ${JSON.stringify(never)}`);
    }
  }
});

send({ type: 'ready' });
