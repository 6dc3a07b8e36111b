// `rnn-lab export-pytorch` and "Export as PyTorch Project…": a run folder or a .rnnconfig → a folder
// with train.py, README.md and requirements.txt made from templates/pytorch/, plus, from a run, the
// state it continues from (start.json: everything but the numbers; start.bin: float32 little-endian).
//
// The templates are real files (train.py runs and is tested as it is); the exporter fills in only the
// block between `# <rnnlab:values>` and `# </rnnlab:values>` of train.py (CONFIG, START, SOURCE) and the
// {{placeholders}} of README.md. Weights stay in RNN Lab's flat layout (src/engine/spec.ts): train.py
// maps them to torch.nn's gate order itself, in one function, for the initial weights and the
// optimizer's buffers alike.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeCheckpoint, type Checkpoint } from '../engine/checkpoint';
import { isRecurrentSpec } from '../engine/modelKinds';
import { directions } from '../engine/spec';
import { writeFileAtomic } from './atomicFile';
import { loadConfig, type RnnConfig } from './config';
import { resolveTask } from './dataset';
import { inputError } from './errors';
import type { Task } from './formats';
import { checkMeta } from './modelMeta';
import { packageRoot } from './packageRoot';
import { RUN_FILES, runFile } from './runStore';
import type { RunExtra } from './training/runSetup';

export const PYTORCH_FILES = { train: 'train.py', readme: 'README.md', requirements: 'requirements.txt', startJson: 'start.json', startBin: 'start.bin' } as const;
const TRAINABLE: readonly Task[] = ['lm', 'tag', 'classify'];
const VALUES_BEGIN = '# <rnnlab:values>';
const VALUES_END = '# </rnnlab:values>';

export interface PyTorchExport {
  readonly outDir: string;
  readonly files: readonly string[];   // absolute paths written
  readonly fromRun: boolean;
  readonly step: number;               // the step the project starts from (0 from a config)
  readonly task: Task;
}

/** The template folder shipped with the extension and the CLI. */
export const templateDir = (): string => path.join(packageRoot(), 'templates', 'pytorch');

/** Exports `source` (a run folder or a .rnnconfig) as a PyTorch project into outDir (created; our files replaced). */
export function exportPyTorchProject(source: string, outDir: string): PyTorchExport {
  if (!fs.existsSync(source)) throw inputError(source, 'no such run folder or config; expected a run folder or a .rnnconfig');
  const fromRun = fs.statSync(source).isDirectory();
  const start = fromRun ? readRunStart(source) : null;
  const config = fromRun ? loadConfig(runFile(source, 'config')) : loadConfig(source);
  let task: Task;
  try {
    task = start?.task ?? resolveTask(config);
  } catch (e) {
    throw inputError(path.basename(source), `the task is "auto" and the data file cannot be read to detect it (${(e as Error).message}); set "task" in the config`);
  }
  if (!TRAINABLE.includes(task)) throw inputError(path.basename(source), `task "${task}": the PyTorch project trains ${TRAINABLE.join(', ')}`);
  if (fs.existsSync(outDir) && !fs.statSync(outDir).isDirectory()) throw inputError(outDir, 'is a file; expected a folder for the project');
  fs.mkdirSync(outDir, { recursive: true });

  const snapshot = { ...config, task };
  const sourceText = path.resolve(source);
  const files: string[] = [];
  const write = (name: string, data: string | Uint8Array) => {
    const file = path.join(outDir, name);
    writeFileAtomic(file, data);
    files.push(file);
  };
  write(PYTORCH_FILES.train, fillTrainTemplate(readTemplate(PYTORCH_FILES.train), { config: snapshot, start: start !== null, source: sourceText }));
  write(PYTORCH_FILES.readme, fillReadme(readTemplate(PYTORCH_FILES.readme), readmeValues(config, task, sourceText, start)));
  write(PYTORCH_FILES.requirements, readTemplate(PYTORCH_FILES.requirements));
  if (start) {
    const { json, bin } = encodeStart(start);
    write(PYTORCH_FILES.startBin, bin);
    write(PYTORCH_FILES.startJson, json);
  } else {
    for (const name of [PYTORCH_FILES.startJson, PYTORCH_FILES.startBin]) fs.rmSync(path.join(outDir, name), { force: true });
  }
  return { outDir: path.resolve(outDir), files, fromRun, step: start?.checkpoint.step ?? 0, task };
}

function readTemplate(name: string): string {
  return fs.readFileSync(path.join(templateDir(), name), 'utf8');
}

interface RunStart {
  readonly checkpoint: Checkpoint;
  readonly extra: RunExtra;
  readonly task: Task;
}

function readRunStart(runDir: string): RunStart {
  const file = runFile(runDir, 'checkpoint');
  if (!fs.existsSync(file)) {
    throw inputError(runDir, `has no ${RUN_FILES.checkpoint} (an imported model?); expected a run trained by RNN Lab, or export its .rnnconfig instead`);
  }
  if (!fs.existsSync(runFile(runDir, 'config'))) throw inputError(runDir, `has no ${RUN_FILES.config}; expected a run folder`);
  let checkpoint: Checkpoint;
  try {
    checkpoint = decodeCheckpoint(new Uint8Array(fs.readFileSync(file)), path.basename(file));
  } catch (e) {
    throw inputError(file, `cannot be read (${(e as Error).message}); expected a checkpoint written by RNN Lab`);
  }
  const extra = checkpoint.extra as RunExtra;
  const meta = checkMeta(extra?.meta, path.basename(file));
  return { checkpoint, extra: { ...extra, meta }, task: meta.task };
}

/** start.json and start.bin: the run's weights, optimizer buffers and carried state as float32 runs, the rest as JSON. */
export function encodeStart(start: RunStart): { json: string; bin: Uint8Array } {
  const { checkpoint: ck, extra } = start;
  const spec = ck.spec;
  if (!isRecurrentSpec(spec)) throw new Error(`encodeStart: a ${spec.kind} model; expected a recurrent one`);
  const chunks: Float32Array[] = [];
  const tensors: Record<string, { offset: number; length: number; shape: number[] }> = {};
  let offset = 0;
  const add = (name: string, values: ArrayLike<number>, shape: number[]) => {
    const f32 = Float32Array.from(values);
    tensors[name] = { offset, length: f32.length, shape };
    chunks.push(f32);
    offset += f32.length;
  };
  add('params', ck.params, [ck.params.length]);
  const optimizer = ck.optimizer
    ? { kind: ck.optimizer.state.kind, stepCount: ck.optimizer.state.stepCount, buffers: Object.keys(ck.optimizer.state.buffers) }
    : null;
  if (ck.optimizer) for (const [name, v] of Object.entries(ck.optimizer.state.buffers)) add(`optimizer.${name}`, v, [v.length]);
  const carried = ck.states.carried;
  if (carried) {
    const shape = [spec.layers, directions(spec), carried.B, spec.hidden];
    add('carried.h', carried.h, shape);
    if (carried.c) add('carried.c', carried.c, shape);
  }
  const bin = new Uint8Array(offset * 4);
  const view = new DataView(bin.buffer);
  let at = 0;
  for (const chunk of chunks) for (let i = 0; i < chunk.length; i++, at += 4) view.setFloat32(at, chunk[i], true);
  const json = {
    format: 1,
    step: ck.step,
    epoch: extra.epoch ?? 0,
    spec,
    tokenizer: extra.meta.tokenizer,
    labels: extra.meta.labels,
    optimizer,
    schedule: ck.schedule,
    clip: ck.clip,
    rngs: ck.rngs,
    cursor: extra.cursor ?? null,
    bestValLoss: extra.bestValLoss ?? null,
    evalsSinceBest: extra.evalsSinceBest ?? 0,
    tensors,
  };
  return { json: JSON.stringify(json) + '\n', bin };
}

/** train.py with its values block replaced; every other line is the template's. */
export function fillTrainTemplate(template: string, values: { config: unknown; start: boolean; source: string }): string {
  const begin = template.indexOf(VALUES_BEGIN), end = template.indexOf(VALUES_END);
  if (begin < 0 || end < begin || template.indexOf(VALUES_BEGIN, begin + 1) >= 0) {
    throw new Error(`templates/pytorch/train.py: expected one "${VALUES_BEGIN}" … "${VALUES_END}" block`);
  }
  const block = [
    VALUES_BEGIN,
    `CONFIG = ${pythonLiteral(values.config, 0)}`,
    `START = ${values.start ? "'start'" : 'None'}`,
    `SOURCE = ${pythonLiteral(values.source, 0)}`,
    '',
  ].join('\n');
  return template.slice(0, begin) + block + template.slice(end);
}

/** A JSON value as Python source: dicts and lists indented by 4, True/False/None, JSON string escapes (valid in Python). */
export function pythonLiteral(value: unknown, depth: number): string {
  const pad = (d: number) => ' '.repeat(4 * d);
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`pythonLiteral: ${value} has no JSON form`);
    return JSON.stringify(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((v) => typeof v !== 'object' || v === null)) return `[${value.map((v) => pythonLiteral(v, depth + 1)).join(', ')}]`;
    return `[\n${value.map((v) => pad(depth + 1) + pythonLiteral(v, depth + 1)).join(',\n')},\n${pad(depth)}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${pad(depth + 1)}${JSON.stringify(k)}: ${pythonLiteral(v, depth + 1)}`).join(',\n')},\n${pad(depth)}}`;
  }
  throw new Error(`pythonLiteral: cannot write a ${typeof value}`);
}

/** README.md with every {{name}} replaced; an unknown or unfilled placeholder is an error. */
export function fillReadme(template: string, values: Readonly<Record<string, string>>): string {
  const used = new Set<string>();
  const out = template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`templates/pytorch/README.md: no value for {{${name}}}`);
    used.add(name);
    return values[name];
  });
  const unused = Object.keys(values).filter((k) => !used.has(k));
  if (unused.length) throw new Error(`templates/pytorch/README.md: values ${unused.join(', ')} have no placeholder`);
  return out;
}

function readmeValues(config: RnnConfig, task: Task, source: string, start: RunStart | null): Record<string, string> {
  const m = config.model;
  const cell = m.cell === 'lstm' ? (m.peephole ? 'peephole LSTM' : 'LSTM')
    : m.cell === 'gru' ? `GRU (reset ${m.resetAfter ? 'after' : 'before'} the candidate's product)` : `RNN (${m.activation})`;
  const model = `${m.layers} layer(s) of ${m.bidirectional ? 'bidirectional ' : ''}${cell}, hidden ${m.hidden}, `
    + `${m.embedding > 0 ? `embedding ${m.embedding}` : 'one-hot input'}${m.dropout > 0 ? `, dropout ${m.dropout}` : ''}`;
  const data = path.basename(config.data.train);
  const t = config.training;
  return {
    name: config.name || path.basename(source).replace(/\.rnnconfig$/, ''),
    source,
    task,
    model,
    training: `${t.optimizer}, learning rate ${t.learningRate} (${t.schedule}), batch ${t.batchSize}${task === 'lm' ? `, windows of ${t.sequenceLength} tokens` : ''}, `
      + `clip ${t.clipNorm > 0 ? `norm ${t.clipNorm}` : 'off'}, seed ${t.seed}`,
    data,
    steps: String(t.steps),
    start: start
      ? `It continues the run from its step ${start.checkpoint.step} (weights, optimizer state, data position and carried state in start.json and start.bin), with its vocabulary of ${start.extra.meta.tokenizer.vocab.length} tokens: train it on the same data (or text in the same alphabet; unknown tokens become <unk>). The new run folder counts its steps on from ${start.checkpoint.step}.`
      : `It starts from the seed, as RNN Lab would (the same initial weights for the same seed), and learns the vocabulary${task === 'lm' ? '' : ' and labels'} from DATA.`,
  };
}
