// The samples folder a newcomer starts from: the extension's samples/ copied into the workspace
// (rnn-lab-samples/), each data file with the configs that train it written beside it from the
// presets (data.train set, comments kept). Plain fs + jsonc-parser, no vscode; nothing existing
// is overwritten, so a learner's edits survive a second "Open the Samples".
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as jsonc from 'jsonc-parser';

export const samplesFolderName = 'rnn-lab-samples';

export interface SampleConfig {
  readonly name: string;      // <name>.rnnconfig in the samples folder
  readonly data: string;      // the sample it trains on
  readonly preset: string;    // presets/<preset>.rnnconfig it is written from
  readonly what: string;      // one line for a quick pick
}

/** The sample configs, in the walkthrough's order. */
export const sampleConfigs: readonly SampleConfig[] = [
  { name: 'corpus', data: 'corpus.txt', preset: 'char-lstm-lm', what: 'character LSTM language model on corpus.txt' },
  { name: 'names', data: 'names.tsv', preset: 'bilstm-tagger', what: 'name tagger (bidirectional LSTM, a label per word) on names.tsv' },
  { name: 'vanish-rnn', data: 'long-memory.tsv', preset: 'vanish-rnn', what: 'see it vanish: a vanilla tanh RNN on a 96-step dependency' },
  { name: 'vanish-lstm', data: 'long-memory.tsv', preset: 'vanish-lstm', what: 'see it vanish: an LSTM on the same data' },
  { name: 'explode-noclip', data: 'corpus.txt', preset: 'explode-noclip', what: 'exploding gradients: a ReLU RNN, clipping off' },
  { name: 'explode-clip', data: 'corpus.txt', preset: 'explode-clip', what: 'exploding gradients: the same RNN, clipping on' },
  { name: 'topics', data: 'topics.tsv', preset: 'gru-classifier', what: 'GRU classifier (a label per line) on topics.tsv' },
  { name: 'dates', data: 'dates.tsv', preset: 'gru-attention-seq2seq', what: 'seq2seq with attention: dates to ISO dates' },
];

export function sampleConfig(name: string): SampleConfig | undefined {
  return sampleConfigs.find((c) => c.name === name.replace(/\.rnnconfig$/, ''));
}

/**
 * Copies every file of `samplesDir` into `target` and writes each sample config there, all only
 * where absent. Returns the names of the files written (empty when everything was already there).
 */
export function copySamples(samplesDir: string, presetsDir: string, target: string): string[] {
  fs.mkdirSync(target, { recursive: true });
  const written: string[] = [];
  for (const name of fs.readdirSync(samplesDir).sort()) {
    const from = path.join(samplesDir, name), to = path.join(target, name);
    if (!fs.statSync(from).isFile() || fs.existsSync(to)) continue;
    fs.copyFileSync(from, to, fs.constants.COPYFILE_EXCL);
    written.push(name);
  }
  for (const c of sampleConfigs) {
    const to = path.join(target, `${c.name}.rnnconfig`);
    const preset = path.join(presetsDir, `${c.preset}.rnnconfig`);
    if (fs.existsSync(to) || !fs.existsSync(preset) || !fs.existsSync(path.join(target, c.data))) continue;
    const text = fs.readFileSync(preset, 'utf8');
    const edits = jsonc.modify(text, ['data', 'train'], c.data,
      { formattingOptions: { insertSpaces: true, tabSize: 2, eol: text.includes('\r\n') ? '\r\n' : '\n' } });
    fs.writeFileSync(to, jsonc.applyEdits(text, edits), { flag: 'wx' });
    written.push(path.basename(to));
  }
  return written;
}
