// seq2seq end to end through the CLI: the date preset trained on samples/dates.tsv reaches a high
// exact match on samples/dates-heldout.tsv (dates it never saw; greedy; beam 4 at least as good),
// `--backend ort` gives the same outputs, every attention row sums to 1 and the output's year digits
// attend to the source's year;
// translate / label / export / eval-style evaluation and their JSON, resume, and bad input (exit 2).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parsePairs } from '../../../src/pipeline/formats';
import { loadSeq2Seq } from '../../../src/pipeline/seq2seq/model';
import { evaluateSeq2SeqFile, translateOne } from '../../../src/pipeline/seq2seq/translate';
import { REPO, config, jsonLines, runCli, runCliInProcess, tempDir } from './cliHarness';

const tmp = tempDir('rnnlab-s2s-');
after(() => tmp.cleanup());

const dates = path.join(REPO, 'samples', 'dates.tsv');
const heldOutFile = path.join(REPO, 'samples', 'dates-heldout.tsv');
const preset = path.join(REPO, 'presets', 'gru-attention-seq2seq.rnnconfig');
/** Steps the preset is trained for here (it ships with more, for margin). */
const STEPS = 400;

const lastEval = (runDir: string) => jsonLines(fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8')).filter((m) => m.valLoss !== undefined).pop();

/** Where the year of `target` (YYYY-MM-DD) is written in `source`: its 4 digits, else its last 2 standing alone. */
function yearSpan(source: string, target: string): { start: number; end: number } {
  const year = target.slice(0, 4);
  const at = source.indexOf(year);
  if (at >= 0) return { start: at, end: at + 4 };
  let last = -1;
  for (const m of source.matchAll(new RegExp(`(?<!\\d)${year.slice(2)}(?!\\d)`, 'g'))) last = m.index!;
  return { start: last, end: last + 2 };
}

const argmax = (row: readonly number[]) => row.reduce((best, w, j) => (w > row[best] ? j : best), 0);

describe('cli: seq2seq on the date sample (the preset)', function () {
  this.timeout(15 * 60_000);
  const runDir = path.join(tmp.dir, 'dates');
  let heldOut: { source: string; target: string }[] = [];

  before(async () => {
    const r = await runCli(['train', dates, '--config', preset, '--out', runDir, '--steps', String(STEPS)], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /warning/, 'the preset has no setting without effect');
    // Dates that dates.tsv never has (scripts/make-samples.mjs), so neither training nor the choice of the best model saw them.
    heldOut = parsePairs(fs.readFileSync(heldOutFile, 'utf8'), heldOutFile).map((p) => ({ source: p.source.trim(), target: p.target.trim() }));
  });

  it('keeps encoder.onnx, decoder.onnx and the checkpoint; metrics carry valExactMatch and valBleu ≥ 0.95', () => {
    for (const f of ['encoder.onnx', 'decoder.onnx', 'checkpoint.bin', 'run.json', 'config.rnnconfig']) assert.ok(fs.existsSync(path.join(runDir, f)), f);
    assert.equal(fs.existsSync(path.join(runDir, 'model.onnx')), false, 'a seq2seq run has no single-graph model.onnx');
    const m = lastEval(runDir);
    assert.equal(m.step, STEPS);
    assert.ok(m.valExactMatch >= 0.95, `valExactMatch ${m.valExactMatch}`);
    assert.ok(m.valBleu >= 0.95 && m.valBleu <= 1, `valBleu ${m.valBleu}`);
    assert.equal(heldOut.length, 1000, 'held-out pairs');
  });

  it('held out: greedy ≥ 0.95 exact, beam 4 at least as good, rows sum to 1, year digits peak on the source\'s year', () => {
    const model = loadSeq2Seq(runDir, 'engine');
    try {
      let greedy = 0, beam = 0, digits = 0, aligned = 0;
      const sample = heldOut.slice(0, 400);
      for (const { source, target } of sample) {
        const g = translateOne(model, source, { beam: 1, lengthPenalty: 0.7, maxLength: 40 });
        const b = translateOne(model, source, { beam: 4, lengthPenalty: 0.7, maxLength: 40 });
        if (g.output === target) greedy++;
        if (b.output === target) beam++;
        assert.equal(g.attention.length, g.outputTokens.length);
        for (const row of [...g.attention, ...b.attention]) {
          assert.equal(row.length, g.sourceTokens.length);
          assert.ok(Math.abs(row.reduce((a, w) => a + w, 0) - 1) < 1e-5, 'an attention row sums to 1');
        }
        const span = yearSpan(source, target);
        for (let k = 0; k < 4 && k < g.attention.length; k++, digits++) {
          const j = argmax(g.attention[k]);
          if (j >= span.start && j < span.end) aligned++;
        }
      }
      assert.ok(greedy >= 0.95 * sample.length, `greedy exact ${greedy}/${sample.length}`);
      assert.ok(beam >= greedy, `beam 4 ${beam} vs greedy ${greedy}`);
      assert.ok(aligned >= 0.9 * digits, `year digits on the year: ${aligned}/${digits}`);
    } finally {
      model.dispose();
    }
  });

  it('translate --json: DESIGN §4\'s object per line; --backend ort gives the same outputs', async () => {
    const lines = heldOut.slice(0, 60);
    const file = tmp.file('some-dates.tsv', lines.map((l) => `${l.source}\t${l.target}`).join('\n') + '\n');
    const engine = await runCliInProcess(['translate', runDir, file, '--json'], tmp.dir);
    const ort = await runCliInProcess(['translate', runDir, file, '--json', '--backend', 'ort'], tmp.dir);
    assert.equal(engine.code, 0, engine.stderr);
    assert.equal(ort.code, 0, ort.stderr);
    const e = jsonLines(engine.stdout), o = jsonLines(ort.stdout);
    assert.equal(e.length, lines.length);
    e.forEach((t, i) => {
      assert.deepEqual(Object.keys(t).slice(0, 5), ['line', 'source', 'output', 'logProb', 'attention']);
      assert.equal(t.line, i + 1);
      assert.equal(t.source, lines[i].source);
      assert.ok(t.logProb <= 0);
      assert.equal(t.attention.length, [...t.output].length, 'one row per output character, not <eos>');
      assert.equal(o[i].output, t.output, `line ${i + 1}: ort ${o[i].output} vs engine ${t.output}`);
      assert.ok(Math.abs(o[i].logProb - t.logProb) < 1e-3);
    });
    const text = await runCliInProcess(['translate', runDir, '--text', '3 may 1979', '--beam', '1'], tmp.dir);
    assert.equal(text.stdout, '1979-05-03\n');
  });

  it('label --json: one object per line with its output, range and log-probability; unseen characters named', async () => {
    const file = tmp.file('to-label.txt', '3 may 1979\n\nthe 1st of january, 1950 ☃\n');
    const r = await runCliInProcess(['label', runDir, file, '--json'], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    const items = jsonLines(r.stdout);
    assert.deepEqual(items.map((t) => [t.line, t.start, t.end]), [[1, 0, 10], [3, 12, 38]]);
    assert.equal(items[0].output, '1979-05-03');
    assert.deepEqual(items[1].unknown, ['☃']);
  });

  it('export writes OUT.encoder.onnx and OUT.decoder.onnx, and translate reads the pair from either path', async () => {
    const out = path.join(tmp.dir, 'exported', 'dates.onnx');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const r = await runCliInProcess(['export', runDir, out], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    for (const which of ['encoder', 'decoder']) {
      const t = await runCliInProcess(['translate', path.join(tmp.dir, 'exported', `dates.${which}.onnx`), '--text', '12.11.03', '--backend', 'ort'], tmp.dir);
      assert.equal(t.stdout, '2003-11-12\n', t.stderr);
    }
  });

  it('evaluates a labelled file on both backends alike (the seq2seq row of rnn-lab eval)', () => {
    const file = path.join(tmp.dir, 'eval.tsv');
    fs.writeFileSync(file, heldOut.slice(0, 100).map((l) => `${l.source}\t${l.target}`).join('\n') + '\n');
    const results = (['engine', 'ort'] as const).map((backend) => {
      const model = loadSeq2Seq(runDir, backend);
      try { return evaluateSeq2SeqFile(model, fs.readFileSync(file, 'utf8'), 'eval.tsv', { beam: 1, lengthPenalty: 0.7, maxLength: 40 }); } finally { model.dispose(); }
    });
    assert.equal(results[0].task, 'seq2seq');
    assert.ok(results[0].exactMatch >= 0.95 && results[0].bleu >= 0.95, JSON.stringify(results[0]));
    assert.ok(results[0].loss > 0 && results[0].loss < 0.5);
    assert.equal(results[1].exactMatch, results[0].exactMatch);
    assert.ok(Math.abs(results[1].loss - results[0].loss) < 1e-4);
  });
});

describe('cli: seq2seq small runs, resume, "auto", bad input', function () {
  this.timeout(5 * 60_000);
  const tiny = { task: 'seq2seq', model: { cell: 'lstm', hidden: 8, embedding: 4, attention: 'dot' }, training: { steps: 4, batchSize: 8, evalEvery: 2, checkpointEvery: 2 }, sampling: { maxLength: 12 } };
  const pairs = fs.readFileSync(dates, 'utf8').split('\n').slice(0, 60).join('\n') + '\n';

  before(() => {
    tmp.file('small.tsv', pairs);
    tmp.file('tiny.rnnconfig', config(tiny));
  });

  it('resumes a stopped seq2seq run where it left off', async () => {
    const runDir = path.join(tmp.dir, 'resume');
    const first = await runCli(['train', 'small.tsv', '--config', 'tiny.rnnconfig', '--out', runDir], tmp.dir);
    assert.equal(first.code, 0, first.stderr);
    const again = await runCli(['train', runDir, '--resume', '--steps', '6'], tmp.dir);
    assert.equal(again.code, 0, again.stderr);
    const steps = jsonLines(fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8')).map((m) => m.step);
    assert.deepEqual([...new Set(steps)], [1, 2, 3, 4, 5, 6]);
  });

  it('"auto" on a source<TAB>target file trains seq2seq and says so', async () => {
    tmp.file('auto.rnnconfig', config({ ...tiny, task: 'auto' }));
    const r = await runCli(['train', 'small.tsv', '--config', 'auto.rnnconfig', '--out', path.join(tmp.dir, 'auto-run'), '--steps', '2'], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /task "auto": small\.tsv has source<TAB>target lines \(60 distinct left sides in 60 lines: not a few repeated labels\), so this trains a seq2seq model/);
  });

  /** [case, files, args, stderr pattern] */
  const cases: [string, Record<string, string>, string[], RegExp][] = [
    ['a line without a TAB', { 'no-tab.tsv': '3 may 1979\t1979-05-03\n4 may 1979 1979-05-04\n' }, ['train', 'no-tab.tsv', '--config', 'tiny.rnnconfig'],
      /^rnn-lab train: no-tab\.tsv:2: expected "source<TAB>target", got no TAB$/],
    ['an empty side', { 'empty-side.tsv': '3 may 1979\t1979-05-03\n\t1979-05-04\n' }, ['train', 'empty-side.tsv', '--config', 'tiny.rnnconfig'],
      /^rnn-lab train: empty-side\.tsv:2: expected "source<TAB>target", got an empty field 1 of 2$/],
    ['a target longer than maxLength', { 'long.tsv': '3 may 1979\t1979-05-03\nx\tthis target is far too long\n' }, ['train', 'long.tsv', '--config', 'tiny.rnnconfig'],
      /^rnn-lab train: long\.tsv:2: the target has 27 tokens, more than sampling\.maxLength \(12\); raise it or shorten the line$/],
    ['attention on another task', { 'lm-att.rnnconfig': config({ task: 'lm', model: { attention: 'dot' } }), 'text.txt': 'some text\n'.repeat(10) },
      ['train', 'text.txt', '--config', 'lm-att.rnnconfig'], /^rnn-lab train: lm-att\.rnnconfig:4: \/model\/attention must be equal to constant, got "dot" \(model\.attention applies only to the seq2seq task\.\)$/],
    ['attention where "auto" finds another task', { 'auto-att.rnnconfig': config({ model: { attention: 'general' } }), 'plain.txt': 'some text\n'.repeat(10) },
      ['train', 'plain.txt', '--config', 'auto-att.rnnconfig'], /^rnn-lab train: auto-att\.rnnconfig: \/model\/attention applies only to the seq2seq task, and the data makes this a lm model; remove it or set "task": "seq2seq"$/],
    ['beam 0 in a config', { 'beam0.rnnconfig': config({ task: 'seq2seq', sampling: { beam: 0 } }) }, ['train', 'small.tsv', '--config', 'beam0.rnnconfig'],
      /^rnn-lab train: beam0\.rnnconfig:4: \/sampling\/beam must be >= 1, got 0$/],
  ];
  for (const [name, files, args, pattern] of cases) {
    it(`train: ${name}`, async () => {
      for (const [f, content] of Object.entries(files)) tmp.file(f, content);
      const r = await runCliInProcess(args, tmp.dir);
      assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
      assert.match(r.stderr.trim(), pattern);
    });
  }

  it('translate and label name the source characters never seen in training (read as <unk>); a blank --text is exit 2', async () => {
    const runDir = path.join(tmp.dir, 'unk-run');
    assert.equal((await runCli(['train', 'small.tsv', '--config', 'tiny.rnnconfig', '--out', runDir, '--steps', '2'], tmp.dir)).code, 0);
    const text = await runCliInProcess(['translate', runDir, '--text', '3 may 1979 ☃'], tmp.dir);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(text.stderr, 'warning: --text, line 1: "☃" never seen in training, read as <unk>\n');
    const file = tmp.file('unseen.txt', '3 may 1979\n4 may 1979 ☃€\n');
    const json = await runCliInProcess(['translate', runDir, file, '--json'], tmp.dir);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(jsonLines(json.stdout).map((t) => t.unknown), [undefined, ['☃', '€']]);
    assert.equal(json.stderr, 'warning: unseen.txt:2: "☃", "€" never seen in training, read as <unk>\n');
    const label = await runCliInProcess(['label', runDir, file], tmp.dir);
    assert.equal(label.code, 0, label.stderr);
    assert.match(label.stdout, /^unseen\.txt:1\t[^\t\n]*\t-?\d+\.\d{3}\nunseen\.txt:2\t[^\t\n]*\t-?\d+\.\d{3}\n$/);
    assert.equal(label.stderr, 'warning: unseen.txt:2: "☃", "€" never seen in training, read as <unk>\n');
    const blank = await runCliInProcess(['translate', runDir, '--text', '  '], tmp.dir);
    assert.equal(blank.code, 2);
    assert.match(blank.stderr, /^rnn-lab translate: --text is blank: expected a source to translate$/m);
  });

  it('translate: --beam 0, no input, and a model that is not seq2seq are exit 2 with a clear message', async () => {
    const runDir = path.join(tmp.dir, 'resume');
    const beam0 = await runCliInProcess(['translate', runDir, '--text', '3 may 1979', '--beam', '0'], tmp.dir);
    assert.equal(beam0.code, 2);
    assert.match(beam0.stderr, /^rnn-lab translate: --beam "0": expected a whole number ≥ 1$/m);
    const none = await runCliInProcess(['translate', runDir], tmp.dir);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /expected MODEL and a FILE, or MODEL and --text TEXT/);
    tmp.file('lm.rnnconfig', config({ task: 'lm', model: { cell: 'gru', hidden: 8, embedding: 4 }, training: { steps: 2, batchSize: 2, sequenceLength: 8 } }));
    tmp.file('lm.txt', 'some text to model\n'.repeat(10));
    const lmRun = path.join(tmp.dir, 'lm-run');
    assert.equal((await runCli(['train', 'lm.txt', '--config', 'lm.rnnconfig', '--out', lmRun], tmp.dir)).code, 0);
    const wrong = await runCliInProcess(['translate', lmRun, '--text', 'x'], tmp.dir);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /lm-run: holds a lm model, not seq2seq; use label, predict or sample/);
    const sample = await runCliInProcess(['sample', runDir], tmp.dir);
    assert.equal(sample.code, 2);
    assert.match(sample.stderr, /resume: holds a seq2seq model \(encoder\.onnx, decoder\.onnx\); use rnn-lab translate, label or eval on it/);
  });
});
