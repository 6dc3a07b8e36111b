// CLI manners: `rnn-lab COMMAND --help` for every command of the table, --version, `rnn-lab runs`,
// sampling options checked against the schema's ranges, options --resume cannot take refused in words.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMANDS } from '../../../src/cli/commandTable';
import { config, jsonLines, REPO, runCli, runCliInProcess, tempDir } from './cliHarness';

const tmp = tempDir('rnnlab-manners-');
after(() => tmp.cleanup());

describe('cli: help and version', () => {
  for (const command of COMMANDS) {
    it(`rnn-lab ${command.name} --help: exit 0, usage and options`, async () => {
      const r = await runCliInProcess([command.name, '--help'], tmp.dir);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      assert.match(r.stdout, new RegExp(`^(usage: )?rnn-lab ${command.name}\\b`));
      for (const flag of command.usage.match(/--[a-z][a-z0-9-]*/g) ?? []) assert.ok(r.stdout.includes(flag), `${flag} in the help of ${command.name}`);
    });
  }

  it('rnn-lab --help lists every command; no command is usage (exit 2)', async () => {
    const help = await runCliInProcess(['--help'], tmp.dir);
    assert.equal(help.code, 0);
    for (const c of COMMANDS) assert.ok(help.stdout.includes(`  ${c.usage}`), c.name);
    const none = await runCliInProcess([], tmp.dir);
    assert.equal(none.code, 2);
    assert.equal(none.stdout, help.stdout);
  });

  it('rnn-lab --version prints the package version', async () => {
    const r = await runCli(['--version'], tmp.dir);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `rnn-lab ${JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version}\n`);
  });

  it('rnn-lab train --help documents --resume', async () => {
    const r = await runCliInProcess(['train', '--help'], tmp.dir);
    assert.match(r.stdout, /--resume +continue the run folder FILE from its checkpoint/);
  });
});

describe('cli: options checked before any work', () => {
  /** [args, stderr] — the model path does not exist: the option is refused first. */
  const cases: [string[], RegExp][] = [
    [['sample', 'nowhere', '--temperature', '11'], /^rnn-lab sample: --temperature "11": expected a number ≥ 0 and ≤ 10$/],
    [['sample', 'nowhere', '--length', '100001'], /^rnn-lab sample: --length "100001": expected a whole number ≥ 1 and ≤ 100000$/],
    [['sample', 'nowhere', '--seed', '-3'], /^rnn-lab sample: --seed "-3": expected a whole number ≥ 0 and ≤ 2147483647$/],
    [['sample', 'nowhere', '--top-p', '0'], /^rnn-lab sample: --top-p "0": expected a number > 0 and ≤ 1$/],
    [['sample', 'nowhere', '--top-k', '2.5'], /^rnn-lab sample: --top-k "2.5": expected a whole number ≥ 0 and ≤ 1000000$/],
    [['sample', 'nowhere', '--prime', 'x'.repeat(10_001)], /^rnn-lab sample: --prime has 10001 characters; expected at most 10000 \(sampling\.prime\)$/],
    [['train', 'some-run', '--resume', '--config', 'x.rnnconfig'], /^rnn-lab train: --config cannot be used with --resume: a resumed run trains with its own config\.rnnconfig snapshot/],
    [['train', 'some-run', '--resume', '--seed', '4'], /^rnn-lab train: --seed cannot be used with --resume/],
    [['train', 'some-run', '--resume', '--out', 'elsewhere'], /^rnn-lab train: --out cannot be used with --resume/],
    [['train', 'data.txt', '--seed', '-1'], /^rnn-lab train: --seed "-1": expected a whole number ≥ 0 and ≤ 2147483647$/],
    [['runs', 'no-such-folder'], /^rnn-lab runs: no-such-folder: no such folder; expected a folder of run folders/],
  ];
  for (const [args, message] of cases) {
    it(`${args.join(' ').slice(0, 60)} → exit 2`, async () => {
      const r = await runCliInProcess(args, tmp.dir);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr.trim(), message);
    });
  }
});

describe('cli: runs', function () {
  this.timeout(60_000);

  it('lists run folders: name, task, status, step, best validation loss (and --json)', async () => {
    const corpus = tmp.file('corpus.txt', fs.readFileSync(path.join(REPO, 'samples', 'corpus.txt'), 'utf8').slice(0, 4000));
    tmp.file('tiny.rnnconfig', config({ task: 'lm', data: { train: corpus, validation: 0.2 }, model: { cell: 'gru', hidden: 8, embedding: 4 }, training: { steps: 6, batchSize: 2, sequenceLength: 8, evalEvery: 3, sampleEvery: 0 } }));
    for (const name of ['a', 'b']) {
      const r = await runCli(['train', 'tiny.rnnconfig', '--out', path.join('runs', `2026010${name === 'a' ? 1 : 2}-000000-${name}`)], tmp.dir);
      assert.equal(r.code, 0, r.stderr);
    }
    const json = await runCliInProcess(['runs', 'runs', '--json'], tmp.dir);
    assert.equal(json.code, 0, json.stderr);
    const runs = jsonLines(json.stdout);
    assert.deepEqual(runs.map((r) => [r.name, r.task, r.status, r.step]), [['20260102-000000-b', 'lm', 'finished', 6], ['20260101-000000-a', 'lm', 'finished', 6]]);
    for (const r of runs) assert.ok(r.bestValLoss > 0 && [3, 6].includes(r.bestStep) && r.modelStep === r.bestStep, JSON.stringify(r));
    const text = await runCliInProcess(['runs', 'runs'], tmp.dir);
    const lines = text.stdout.trim().split('\n');
    assert.match(lines[0], /^name +task +status +step +best val loss$/);
    assert.match(lines[1], new RegExp(`^20260102-000000-b +lm +finished +6 +${runs[0].bestValLoss.toFixed(4)} \\(step ${runs[0].bestStep}\\)$`));
    assert.equal(lines.length, 3);
  });
});
