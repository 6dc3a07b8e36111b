// rnn-lab eval MODEL FILE [--backend engine|ort] [--json]: a model's scores on a labelled file
// (src/pipeline/eval/evalFile.ts); --json prints DESIGN.md §4's object, progress goes to stderr.
import * as path from 'node:path';
import { evaluateModelFile } from '../pipeline/eval/evalFile';
import type { ClassEvalReport, EvalProgress, EvalReport } from '../protocol/evaluation';
import { backendOption, parseArgs, UsageError } from './args';
import type { CliCommand } from './command';
import { bar, jsonLine, type CliIO } from './output';

const USAGE = 'rnn-lab eval MODEL FILE [--backend engine|ort] [--json]';

export const evalCommand: CliCommand = {
  name: 'eval',
  usage: USAGE,
  summary: 'Scores a model on a labelled FILE in its task\'s data format: a language model\'s loss, perplexity and '
    + 'bits per token on any text; a tagger\'s or classifier\'s loss, accuracy, macro F1, per-label precision, recall, '
    + 'F1 and support, and the confusion matrix; a seq2seq model\'s loss, exact match and corpus BLEU-4 on '
    + 'source<TAB>target lines. Large files are read as a stream (seq2seq: whole).',
  options: [
    ['--backend engine|ort', 'run the model in the built-in engine (default) or in onnxruntime'],
    ['--json', 'print one JSON object: {"task":"lm","tokens":N,"loss":L,"perplexity":P,"bitsPerToken":B}, for tag and classify {"task","loss","accuracy","macroF1","labels":{...},"confusion":{"labels":[...],"matrix":[[...]]}}, for seq2seq {"task":"seq2seq","loss","exactMatch","bleu"}'],
  ],
  notes: 'loss is the mean cross-entropy in nats per predicted token (tag: per token, classify: per line); a language model '
    + 'predicts every token of FILE from all before it, the first from a line start, as `label` scores surprisal '
    + '(so the mean surprisal label prints is this loss); perplexity = exp(loss). The confusion matrix has a row per '
    + 'true label and a column per predicted one. A run folder is evaluated through its model.onnx: with validation '
    + 'data, the lowest-validation-loss model.',
  run: evalRun,
};

function evalRun(argv: readonly string[], io: CliIO): number {
  const args = parseArgs(argv, ['backend'], ['json'], USAGE);
  if (args.positional.length !== 2) throw new UsageError(`expected MODEL and FILE; usage: ${USAGE}`);
  const [modelPath, file] = args.positional;
  const progress = progressOnStderr(io, path.basename(file));
  const { report, step } = evaluateModelFile(modelPath, file, backendOption(args), { onProgress: progress.show });
  progress.done();
  io.out(args.flags.has('json') ? jsonLine(report) : humanReport(report, path.basename(file), step));
  return 0;
}

/** A redrawn bar on a terminal; otherwise a line at each tenth of a file larger than one chunk. */
function progressOnStderr(io: CliIO, name: string): { show: (p: EvalProgress) => void; done: () => void } {
  let shownTenths = 0, drawn = false;
  const amount = ({ done, total, unit }: EvalProgress) => (unit === 'bytes'
    ? `${(done / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB` : `${done} of ${total} steps`);
  return {
    show(p) {
      if (p.total <= 0 || (p.done >= p.total && !drawn)) return;   // done at the first report: nothing to watch
      const share = Math.min(1, p.done / p.total);
      const text = `eval ${name} ${bar(share)} ${Math.round(share * 100)}% (${amount(p)})`;
      if (io.isTTY) { io.err(`\r${text}\x1b[K`); drawn = true; return; }
      const tenths = Math.floor(share * 10);
      if (tenths > shownTenths) { shownTenths = tenths; io.err(text + '\n'); }
    },
    done() { if (drawn) io.err('\n'); },
  };
}

const fixed = (x: number, digits = 4) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));

function humanReport(r: EvalReport, name: string, step: number | undefined): string {
  const from = step !== undefined ? ` (model from step ${step})` : '';
  switch (r.task) {
    case 'lm':
      return `${name}${from}: ${r.tokens.toLocaleString('en-US')} tokens, loss ${fixed(r.loss)} nats/token, `
        + `perplexity ${fixed(r.perplexity, 3)}, ${fixed(r.bitsPerToken, 3)} bits/token\n`;
    case 'tag':
    case 'classify':
      return classReport(r, name, from);
    case 'seq2seq':
      return `${name}${from}: loss ${fixed(r.loss)}, exact match ${fixed(r.exactMatch)}, BLEU ${fixed(r.bleu)}\n`;
  }
}

function classReport(r: ClassEvalReport, name: string, from: string): string {
  const labels = r.confusion.labels;
  const total = r.confusion.matrix.reduce((a, row) => a + row.reduce((x, n) => x + n, 0), 0);
  const unit = r.task === 'tag' ? 'tokens' : 'lines';
  const w = Math.max(5, ...labels.map((l) => l.length));
  const table = (rows: string[][]) => rows.map((cells) => cells.map((c, i) => (i === 0 ? c.padEnd(w) : c.padStart(9))).join(' ')).join('\n');
  const scores = table([['label', 'precision', 'recall', 'f1', 'support'],
    ...labels.map((l) => { const s = r.labels[l]; return [l, fixed(s.precision), fixed(s.recall), fixed(s.f1), String(s.support)]; })]);
  const confusion = table([['true \\ predicted', ...labels].map((c, i) => (i === 0 ? c.slice(0, w) : c)),
    ...labels.map((l, i) => [l, ...r.confusion.matrix[i].map(String)])]);
  return `${name}${from}: ${total.toLocaleString('en-US')} ${unit}, loss ${fixed(r.loss)}, accuracy ${fixed(r.accuracy)}, macro F1 ${fixed(r.macroF1)}\n\n`
    + `${scores}\n\nconfusion (rows: true label, columns: predicted)\n${confusion}\n`;
}
