// rnn-lab runs [DIR] [--json]: the run folders under DIR (default .rnnlab/runs), newest first, with
// their task, status, step and best validation loss, read from each folder's run.json.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inputError } from '../pipeline/errors';
import { listRuns } from '../pipeline/runStore';
import { parseArgs, UsageError } from './args';
import type { CliCommand } from './command';
import { jsonLine, type CliIO } from './output';

const USAGE = 'rnn-lab runs [DIR] [--json]';
const DEFAULT_DIR = path.join('.rnnlab', 'runs');

export const runsCommand: CliCommand = {
  name: 'runs',
  usage: USAGE,
  summary: `Lists the run folders under DIR (default ${DEFAULT_DIR}), newest first: name, task, status, step, the best `
    + 'validation loss and the step it was reached at (the step model.onnx holds).',
  options: [['--json', 'one JSON object a line: {"name","dir","task","status","step","loss","bestValLoss","bestStep","modelStep"}']],
  run(argv, io) {
    const args = parseArgs(argv, [], ['json'], USAGE);
    if (args.positional.length > 1) throw new UsageError(`expected at most one DIR; usage: ${USAGE}`);
    const dir = path.resolve(args.positional[0] ?? DEFAULT_DIR);
    if (args.positional.length === 1 && !(fs.existsSync(dir) && fs.statSync(dir).isDirectory())) {
      throw inputError(args.positional[0], 'no such folder; expected a folder of run folders (such as .rnnlab/runs)');
    }
    const runs = listRuns(dir);
    if (args.flags.has('json')) {
      for (const r of runs) {
        io.out(jsonLine({ name: r.id, dir: r.dir, task: r.task, status: r.status, step: r.step, loss: r.loss, bestValLoss: r.bestValLoss, bestStep: r.bestStep, modelStep: r.modelStep }));
      }
      return 0;
    }
    if (runs.length === 0) {
      io.err(`no runs in ${path.relative(process.cwd(), dir) || '.'}\n`);
      return 0;
    }
    printTable(io, ['name', 'task', 'status', 'step', 'best val loss'], runs.map((r) => [
      r.id, r.task || '–', r.status, String(r.step),
      r.bestValLoss !== undefined ? `${r.bestValLoss.toFixed(4)}${r.bestStep !== undefined ? ` (step ${r.bestStep})` : ''}` : '–',
    ]));
    return 0;
  },
};

function printTable(io: CliIO, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const row of [header, ...rows]) io.out(row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]))).join('  ') + '\n');
}
