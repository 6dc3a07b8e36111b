// Bad input through the CLI: a one-line message naming file (line, JSON path) and what was expected,
// exit code 2, and nothing already saved is lost or overwritten.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { config, runCli, runCliInProcess, tempDir } from './cliHarness';

const tmp = tempDir('rnnlab-bad-');
after(() => tmp.cleanup());

/** Hash of every file under dir: what "nothing was changed" compares. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const p = path.join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name);
    out[path.relative(dir, p)] = createHash('sha256').update(fs.readFileSync(p)).digest('hex');
  }
  return out;
}

const tinyLm = { task: 'lm', model: { cell: 'gru', hidden: 8, embedding: 4 }, training: { steps: 3, batchSize: 2, sequenceLength: 8, evalEvery: 3 } };

describe('cli: bad input → exit 2, a clear message, nothing saved is touched', function () {
  this.timeout(90_000);
  let runDir: string;

  before(async () => {
    tmp.file('good.txt', 'some good text to train on.\n'.repeat(20));
    tmp.file('tiny.rnnconfig', config(tinyLm));
    runDir = path.join(tmp.dir, 'saved-run');
    const r = await runCli(['train', 'good.txt', '--config', 'tiny.rnnconfig', '--out', runDir], tmp.dir);
    assert.equal(r.code, 0, r.stderr);
  });

  /** [case, files to create, CLI args, stderr pattern] */
  const cases: [string, Record<string, string | Buffer>, string[], RegExp][] = [
    ['an empty file', { 'empty.txt': '' }, ['train', 'empty.txt'], /^rnn-lab train: empty\.txt: the file is empty; expected UTF-8 text$/],
    ['a binary file', { 'blob.bin': Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x0a, 0x00, 0x00, 0x00]) }, ['train', 'blob.bin'],
      /^rnn-lab train: blob\.bin:2: binary data \(a NUL byte at byte 5\); expected UTF-8 text$/],
    ['a malformed tag line', { 'bad.tsv': 'Harry\t1\nPotter\t1\nran away\t0\textra\n', 'tag.rnnconfig': config({ task: 'tag' }) },
      ['train', 'bad.tsv', '--config', 'tag.rnnconfig'], /^rnn-lab train: bad\.tsv:3: expected "token<TAB>label", got 3 fields$/],
    ['a malformed classify line', { 'bad-cls.tsv': 'pos\tnice\nno tab here\n', 'cls.rnnconfig': config({ task: 'classify' }) },
      ['train', 'bad-cls.tsv', '--config', 'cls.rnnconfig'], /^rnn-lab train: bad-cls\.tsv:2: expected "label<TAB>text", got no TAB$/],
    ['a config out of range', { 'range.rnnconfig': '{\n  // too fast\n  "training": {\n    "learningRate": 50\n  }\n}\n' },
      ['train', 'good.txt', '--config', 'range.rnnconfig'], /^rnn-lab train: range\.rnnconfig:4: \/training\/learningRate must be <= 10, got 50$/],
    ['a config with an unknown value', { 'cell.rnnconfig': config({ model: { cell: 'transformer' } }) },
      ['train', 'good.txt', '--config', 'cell.rnnconfig'], /^rnn-lab train: cell\.rnnconfig:3: \/model\/cell must be one of "rnn", "gru", "lstm", got "transformer"$/],
    ['a config that is not JSON', { 'broken.rnnconfig': '{\n  "model": { "hidden": 12 \n}\n' },
      ['train', 'good.txt', '--config', 'broken.rnnconfig'], /^rnn-lab train: broken\.rnnconfig:\d+: CloseBraceExpected; expected JSON with comments$/],
    ['an unknown label in the validation file', {
      'tag-train.tsv': 'Harry\t1\nran\t0\n\nRon\t1\nsat\t0\n', 'tag-valid.tsv': 'Luna\t1\nflew\t2\n',
      'valid.rnnconfig': config({ task: 'tag', data: { validation: 'tag-valid.tsv' } }),
    }, ['train', 'tag-train.tsv', '--config', 'valid.rnnconfig'], /^rnn-lab train: tag-valid\.tsv:1: unknown label "2"; the training data has "0", "1"$/],
    ['a missing data file', {}, ['train', 'nowhere.txt'], /^rnn-lab train: .*nowhere\.txt: no such file; expected a UTF-8 text file$/],
    ['a missing config file', {}, ['train', 'good.txt', '--config', 'nope.rnnconfig'], /^rnn-lab train: .*nope\.rnnconfig: no such config file/],
    ['an unknown option', {}, ['train', 'good.txt', '--epochs', '3'], /^rnn-lab train: unknown option --epochs; usage: rnn-lab train FILE/],
    ['a bad --steps', {}, ['train', 'good.txt', '--steps', 'many'], /^rnn-lab train: --steps "many": expected a whole number ≥ 1 and ≤ 100000000$/],
    ['a --top-p out of range', {}, ['sample', 'saved-run', '--top-p', '0'], /^rnn-lab sample: --top-p "0": expected a number > 0 and ≤ 1$/],
    ['token ids outside the vocabulary', {}, ['predict', 'saved-run', '--ids', '1,99999', '--json'], /^rnn-lab predict: --ids: 99999 is not a token id of this model; expected whole numbers in 0\.\.\d+$/],
    ['a missing model', {}, ['sample', 'no-such-run'], /^rnn-lab sample: no-such-run: no such model; expected a run folder or an \.onnx file$/],
    ['a corrupt .onnx', { 'junk.onnx': 'definitely not protobuf' }, ['predict', 'junk.onnx', '--ids', '1', '--json'], /^rnn-lab predict: junk\.onnx: /],
    ['a config nested 100,000 levels deep', { 'deep.rnnconfig': '['.repeat(100_000) + ']'.repeat(100_000) }, ['train', 'good.txt', '--config', 'deep.rnnconfig'],
      /^rnn-lab train: deep\.rnnconfig:1: nested more than 64 levels deep; expected a config \(4 levels\)$/],
    ['a 5 MB config', { 'big.rnnconfig': config({ name: 'n'.repeat(5_000_000) }) }, ['train', 'good.txt', '--config', 'big.rnnconfig'],
      /^rnn-lab train: big\.rnnconfig: 5,000,0\d\d bytes, over the 4 MB a config may have; expected a small JSON file/],
    ['a 1,000,000-character value, cut in the message', { 'long.rnnconfig': config({ data: { tokenizer: 'x'.repeat(1_000_000) } }) },
      ['train', 'good.txt', '--config', 'long.rnnconfig'], /^rnn-lab train: long\.rnnconfig:\d+: \/data\/tokenizer must be one of "char", "word", got "x{40}…" \(1,000,000 characters\)$/],
    ['a 10 MB label in the validation file, cut in the message', {
      'tag-train-10mb.tsv': 'Harry\t1\nran\t0\n\nRon\t1\nsat\t0\n', 'tag-valid-10mb.tsv': `Luna\t${'x'.repeat(10 * 2 ** 20)}\nflew\t0\n`,
      'valid-10mb.rnnconfig': config({ task: 'tag', data: { validation: 'tag-valid-10mb.tsv' } }),
    }, ['train', 'tag-train-10mb.tsv', '--config', 'valid-10mb.rnnconfig'],
      /^rnn-lab train: tag-valid-10mb\.tsv:1: unknown label "x{40}…" \(10,485,760 characters\); the training data has "0", "1"$/],
    ['a missing validation file, named by its field', { 'valid-missing.rnnconfig': config({ data: { train: 'good.txt', validation: 'valid.txt' } }) },
      ['train', 'valid-missing.rnnconfig'], /^rnn-lab train: data\.validation: valid\.txt not found \(looked for .*\/valid\.txt; paths are relative to the config file\)$/],
    ['a missing training file, named by its field', { 'train-missing.rnnconfig': config({ data: { train: 'gone/corpus.txt' } }) },
      ['train', 'train-missing.rnnconfig'], /^rnn-lab train: data\.train: corpus\.txt not found \(looked for .*\/gone\/corpus\.txt; paths are relative to the config file\)$/],
    ['a folder as the training file', { 'folder-data/x.txt': 'x', 'folder.rnnconfig': config({ data: { train: 'folder-data' } }) },
      ['train', 'folder.rnnconfig'], /^rnn-lab train: data\.train: folder-data is a folder, not a regular file; expected a UTF-8 text file$/],
    ['a device as the training file', { 'device.rnnconfig': config({ data: { train: '/dev/zero' } }) },
      ['train', 'device.rnnconfig'], /^rnn-lab train: data\.train: zero is a character device, not a regular file; expected a UTF-8 text file$/],
  ];

  for (const [name, files, args, message] of cases) {
    it(name, async () => {
      for (const [f, content] of Object.entries(files)) tmp.file(f, content);
      const before = snapshot(tmp.dir);
      const r = await runCliInProcess(args, tmp.dir);
      assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
      assert.match(r.stderr.trim(), message);
      assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
      assert.deepEqual(snapshot(tmp.dir), before, 'files changed (a run folder created or a file overwritten)');
    });
  }

  it('a named pipe (FIFO) as data is refused at once, never read (it would block for ever)', async function () {
    const fifo = path.join(tmp.dir, 'pipe.txt');
    if (spawnSync('mkfifo', [fifo]).status !== 0) return this.skip();   // no mkfifo on this system
    tmp.file('fifo.rnnconfig', config({ data: { train: 'pipe.txt' } }));
    const cases: [string[], RegExp][] = [
      [['train', 'pipe.txt'], /^rnn-lab train: .*\/pipe\.txt: is a named pipe \(FIFO\), not a regular file; expected a UTF-8 text file$/],
      [['train', 'fifo.rnnconfig'], /^rnn-lab train: data\.train: pipe\.txt is a named pipe \(FIFO\), not a regular file; expected a UTF-8 text file$/],
      [['label', 'saved-run', 'pipe.txt'], /^rnn-lab label: (.*\/)?pipe\.txt: is a named pipe \(FIFO\), not a regular file; expected a UTF-8 text file$/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, tmp.dir);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr.trim(), message);
    }
    fs.rmSync(fifo);
  });

  it('a corrupt checkpoint: label and resume refuse it and leave it as it is', async () => {
    const corrupt = path.join(tmp.dir, 'corrupt-run');
    fs.cpSync(runDir, corrupt, { recursive: true });
    const file = path.join(corrupt, 'checkpoint.bin');
    const bytes = fs.readFileSync(file);
    bytes[bytes.length >> 1] ^= 0xff;
    fs.writeFileSync(file, bytes);
    fs.rmSync(path.join(corrupt, 'model.onnx'), { force: true });
    const before = snapshot(tmp.dir);
    for (const args of [['label', 'corrupt-run', 'good.txt'], ['train', 'corrupt-run', '--resume', '--steps', '5']]) {
      const r = await runCli(args, tmp.dir);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr.trim(), /checkpoint\.bin: cannot be read \(.*\); expected a checkpoint written by RNN Lab$/);
    }
    assert.deepEqual(snapshot(tmp.dir), before);
  });

  it('an --out folder that already holds a run is not overwritten', async () => {
    const before = snapshot(tmp.dir);
    const r = await runCliInProcess(['train', 'good.txt', '--config', 'tiny.rnnconfig', '--out', 'saved-run'], tmp.dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr.trim(), /saved-run: already holds a run; choose another output folder \(or resume it\)$/);
    assert.deepEqual(snapshot(tmp.dir), before);
  });

  it('a malformed seq2seq line (more in cli/seq2seq.test.ts)', async () => {
    tmp.file('s2s.rnnconfig', config({ task: 'seq2seq' }));
    const bad = await runCliInProcess(['train', tmp.file('pairs-bad.tsv', 'a\tb\nc\n'), '--config', 's2s.rnnconfig'], tmp.dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr.trim(), /pairs-bad\.tsv:2: expected "source<TAB>target", got no TAB$/);
  });

  it('usage: no command is exit 2 with the usage, --help exit 0 (the real executable)', async () => {
    const none = await runCli([], tmp.dir);
    assert.equal(none.code, 2);
    assert.match(none.stdout, /rnn-lab train FILE/);
    assert.equal((await runCli(['--help'], tmp.dir)).code, 0);
    assert.match((await runCli(['label', '--help'], tmp.dir)).stdout, /UTF-16 code unit offsets/);
  });
});
