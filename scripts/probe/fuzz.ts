// Fuzzed models, configs and data files through the CLI. Every case must end in a clear error (exit
// 2, one line naming the command and the file, no stack trace or raw JavaScript/errno text, long
// values cut) or be accepted (exit 0: the mutation left valid input); never a crash, a signal, a hang
// or exit 1 (a failure of the work: the input was not recognised as bad). The saved runs the model
// cases start from must still load afterwards (nothing saved is lost).
//   node scripts/probe/run.mjs fuzz [--models 250] [--configs 250] [--data 200] [--seed 1] [--verbose]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { decodeModel, encodeModel } from '../../src/onnx/modelProto';
import type { OnnxTypes } from '../../src/onnx/proto';
import { arg, checkRunFolder, config, corpus, rng, runCli, seconds, unclear } from './common';

const random = rng(Number(arg('--seed', '1')));
const counts = { models: Number(arg('--models', '250')), configs: Number(arg('--configs', '250')), data: Number(arg('--data', '200')) };
const verbose = process.argv.includes('--verbose');

interface FuzzCase { readonly kind: 'model' | 'config' | 'data'; readonly what: string; readonly files: Record<string, string | Uint8Array>; readonly args: string[] }

// ---- values a mutation puts somewhere -----------------------------------------------------------
const LONG = 'x'.repeat(10 * 2 ** 20);    // the 10 MB string of issue 16
const nested = (depth: number): unknown => (depth === 0 ? 1 : { a: nested(depth - 1) });
const BAD_VALUES: unknown[] = [
  -1, 0, 1.5, 1e308, -1e308, 1e-308, 2 ** 53 + 1, 'NaN', '', 'x', 'lstm ', null, true, [], {}, [1, 2], { nested: true },
  'x'.repeat(100_000), nested(30), '../../../../etc/passwd', '\u0000', '\ud800', 'é'.repeat(1000),
];
const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => random.int(256));

// ---- models -------------------------------------------------------------------------------------
function byteMutation(base: Uint8Array): [string, Uint8Array] {
  const b = Uint8Array.from(base);
  switch (random.int(7)) {
    case 0: { const k = random.pick([1, 4, 32, 256]); for (let i = 0; i < k; i++) b[random.int(b.length)] = random.int(256); return [`${k} random bytes`, b]; }
    case 1: { const at = random.int(b.length); return [`truncated at ${at}`, b.slice(0, at)]; }
    case 2: { const at = random.int(b.length), n = random.int(4096); b.fill(0, at, at + n); return [`${n} zero bytes at ${at}`, b]; }
    case 3: { const at = random.int(b.length); return [`random bytes inserted at ${at}`, new Uint8Array([...b.slice(0, at), ...randomBytes(1 + random.int(64)), ...b.slice(at)])]; }
    case 4: return ['garbage appended', new Uint8Array([...b, ...randomBytes(1 + random.int(1000))])];
    case 5: return ['random bytes', randomBytes(random.int(20_000))];
    default: return ['empty', new Uint8Array(0)];
  }
}

const OPS = ['Concat', 'Gather', 'MatMul', 'Add', 'LSTM', 'GRU', 'RNN', 'Softmax', 'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'Slice', 'Loop', 'If', 'Scan', 'Expand', 'Tile', 'ConstantOfShape', 'NoSuchOp'];

function protoMutation(base: Uint8Array): [string, Uint8Array] {
  const m = decodeModel(base) as OnnxTypes.IModelProto;
  const g = m.graph!;
  const nodes = g.node!, inits = g.initializer!;
  const node = () => random.pick(nodes), init = () => random.pick(inits);
  let what: string;
  switch (random.int(13)) {
    case 0: { const n = node(); n.opType = random.pick(OPS); what = `node ${n.name} as ${n.opType}`; break; }
    case 1: {
      const t = init(); t.dims = (t.dims ?? []).map(() => random.pick([0, -1, 1, 3, 2 ** 31, 2 ** 40, 7])); what = `initializer ${t.name} dims ${JSON.stringify(t.dims)}`; break;
    }
    case 2: { const t = init(); t.dataType = random.pick([0, 2, 6, 7, 8, 9, 10, 11, 16, 99]); what = `initializer ${t.name} type ${t.dataType}`; break; }
    case 3: { const i = random.int(nodes.length); what = `node ${nodes[i].name} removed`; nodes.splice(i, 1); break; }
    case 4: { const i = random.int(inits.length); what = `initializer ${inits[i].name} removed`; inits.splice(i, 1); break; }
    case 5: { const n = node(); if (n.input?.length) n.input[random.int(n.input.length)] = random.pick(['dangling', n.output?.[0] ?? 'self', '']); what = `node ${n.name} input rewired`; break; }
    case 6: {
      const n = node(); const a = n.attribute?.length ? random.pick(n.attribute) : null;
      if (a) { if (a.i !== undefined && a.i !== null) a.i = random.pick([0, -1, 2 ** 31, 3]); else a.s = new TextEncoder().encode(random.pick(['sideways', '', 'reverse'])); }
      what = `node ${n.name} attribute ${a?.name} changed`; break;
    }
    case 7: { const n = node(); n.attribute = []; what = `node ${n.name} attributes removed`; break; }
    case 8: {
      const props = m.metadataProps ?? [];
      const p = props.length ? random.pick(props) : null;
      const value = random.pick(['not json', '{}', '[]', 'null', '"seq2seq"', '"nonsense"', JSON.stringify(LONG.slice(0, 1_000_000)), '{"kind":"char","vocab":[]}', '{"kind":"word","vocab":["a","a"]}', '123']);
      if (p) p.value = value;
      what = `metadata ${p?.key} = ${value.slice(0, 30)}`; break;
    }
    case 9: { const i = random.int(m.metadataProps?.length ?? 1); what = `metadata ${m.metadataProps?.[i]?.key} removed`; m.metadataProps?.splice(i, 1); break; }
    case 10: { m.opsetImport = [{ domain: '', version: random.pick([0, 1, 7, 999]) }]; what = `opset ${m.opsetImport[0].version}`; break; }
    case 11: { g.input = random.int(2) ? [] : [...(g.input ?? []), ...(g.input ?? [])]; g.output = random.int(2) ? [] : g.output; what = 'graph inputs/outputs changed'; break; }
    default: {
      const t = init(); const raw = t.rawData as Uint8Array | undefined;
      if (raw?.length) t.rawData = raw.slice(0, random.int(raw.length)); else t.floatData = [1, 2, 3];
      what = `initializer ${t.name} data cut`; break;
    }
  }
  return [what, encodeModel(m)];
}

function modelCase(models: Record<string, Uint8Array>): FuzzCase {
  const [task, base] = random.pick(Object.entries(models));
  const [what, bytes] = random.int(3) === 0 ? byteMutation(base) : protoMutation(base);
  const file = 'fuzzed.onnx';
  const args = random.pick([
    ['predict', file, '--ids', '1,2', '--json'], ['sample', file, '--length', '10'], ['label', file, 'text.txt'], ['label', file, 'text.txt', '--json'],
  ]);
  return { kind: 'model', what: `${task} model: ${what}`, files: { [file]: bytes }, args };
}

// ---- configs ------------------------------------------------------------------------------------
const BASE_CONFIG = {
  task: 'lm', data: { train: 'corpus.txt', validation: 0.1, tokenizer: 'char' },
  model: { cell: 'gru', hidden: 16, embedding: 8, layers: 1 },
  training: { steps: 2, batchSize: 4, sequenceLength: 16, learningRate: 0.01, evalEvery: 2, checkpointEvery: 2, sampleEvery: 2 },
};
const PATHS = [
  'task', 'name', 'data', 'data.train', 'data.validation', 'data.tokenizer', 'data.vectors', 'data.lowercase', 'model', 'model.cell', 'model.hidden',
  'model.embedding', 'model.layers', 'model.bidirectional', 'model.dropout', 'model.attention', 'training', 'training.steps', 'training.batchSize',
  'training.sequenceLength', 'training.learningRate', 'training.optimizer', 'training.clipNorm', 'training.seed', 'training.schedule', 'training.evalEvery',
  'training.earlyStopping', 'unknownTop', 'training.unknown', 'sampling', 'sampling.temperature',
];
const FILE_VALUES = ['missing.txt', 'folder', '/dev/zero', '/dev/null', 'pipe.txt', 'blob.bin', 'config.rnnconfig', '', 'a\u0000b.txt', 'missing/deep/x.txt'];

function setPath(obj: Record<string, unknown>, dotted: string, value: unknown, remove: boolean): void {
  const keys = dotted.split('.');
  let at = obj;
  for (const k of keys.slice(0, -1)) {
    if (typeof at[k] !== 'object' || at[k] === null || Array.isArray(at[k])) at[k] = {};
    at = at[k] as Record<string, unknown>;
  }
  if (remove) delete at[keys.at(-1)!]; else at[keys.at(-1)!] = value;
}

function textMutation(text: string): [string, string | Uint8Array] {
  switch (random.int(9)) {
    case 0: { const at = random.int(text.length); return [`truncated at ${at}`, text.slice(0, at)]; }
    case 1: { const b = Buffer.from(text); for (let k = 0; k < 4; k++) b[random.int(b.length)] = random.int(256); return ['4 random bytes', b]; }
    case 2: return ['a NUL byte', text.replace(',', ',\u0000')];
    case 3: return ['a byte-order mark', '\ufeff' + text];
    case 4: return ['invalid UTF-8', Buffer.concat([Buffer.from(text.slice(0, 20)), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(text.slice(20))])];
    case 5: return ['an unterminated comment', text.replace('{', '{ /* never closed')];
    case 6: return ['nested 100,000 deep', '['.repeat(100_000) + ']'.repeat(100_000)];
    case 7: return ['a duplicated key', text.replace('"task"', '"task": "tag", "task"')];
    default: return ['a 10 MB string value', text.replace('"lm"', JSON.stringify(LONG))];
  }
}

function configCase(): FuzzCase {
  const value = structuredClone(BASE_CONFIG) as Record<string, unknown>;
  const path_ = random.pick(PATHS);
  let what: string, text: string | Uint8Array;
  const r = random.int(10);
  if (r < 2) [what, text] = textMutation(config(value));
  else {
    const remove = r === 2;
    const v = path_.startsWith('data.') && ['data.train', 'data.validation', 'data.vectors'].includes(path_) && random.int(2) ? random.pick(FILE_VALUES) : random.pick(BAD_VALUES);
    const shown = (p: string, x: unknown) => `${p} = ${(JSON.stringify(x) ?? String(x)).slice(0, 40)}`;
    setPath(value, path_, v, remove);
    what = remove ? `${path_} removed` : shown(path_, v);
    if (random.int(4) === 0) {                                 // two changes at once
      const [p2, v2] = [random.pick(PATHS), random.pick(BAD_VALUES)];
      setPath(value, p2, v2, false);
      what += `, ${shown(p2, v2)}`;
    }
    text = config(value);
  }
  return { kind: 'config', what, files: { 'fuzzed.rnnconfig': text }, args: ['train', 'fuzzed.rnnconfig', '--steps', '2', '--out', 'fuzz-out'] };
}

// ---- data files ---------------------------------------------------------------------------------
const TASK_CONFIGS: Record<string, unknown> = {
  lm: { task: 'lm', data: { tokenizer: 'char' } },
  'lm-word': { task: 'lm', data: { tokenizer: 'word' } },
  tag: { task: 'tag' }, classify: { task: 'classify' }, seq2seq: { task: 'seq2seq' }, embed: { task: 'embed' },
};
const GOOD_DATA: Record<string, string> = {
  lm: corpus(2000), 'lm-word': corpus(2000), embed: corpus(3000),
  tag: 'Harry\t1\nPotter\t1\nran\t0\n\nRon\t1\nsat\t0\n\n'.repeat(40),
  classify: 'pos\tnice day\nneg\tbad day\n'.repeat(40),
  seq2seq: 'abc\tcba\nhello\tolleh\n'.repeat(40),
};

function dataMutation(task: string): [string, string | Uint8Array] {
  const good = GOOD_DATA[task];
  const line = () => random.int(good.split('\n').length);
  switch (random.int(14)) {
    case 0: return ['random bytes', randomBytes(1 + random.int(5000))];
    case 1: return ['invalid UTF-8', Buffer.concat([Buffer.from(good.slice(0, 200)), Buffer.from([0xed, 0xa0, 0x80, 0xff, 0xfe]), Buffer.from(good.slice(200))])];
    case 2: return ['a NUL byte', good.slice(0, 100) + '\u0000' + good.slice(100)];
    case 3: return ['empty', ''];
    case 4: return ['whitespace only', ' \n\t\n\r\n'.repeat(random.int(50))];
    case 5: return ['one character', 'a'];
    case 6: { const n = line(); return [`line ${n + 1} without its TAB`, good.split('\n').map((l, i) => (i === n ? l.replace('\t', ' ') : l)).join('\n')]; }
    case 7: { const n = line(); return [`line ${n + 1} with three fields`, good.split('\n').map((l, i) => (i === n ? `${l}\textra\tmore` : l)).join('\n')]; }
    case 8: return ['a 10 MB line', good.replace('\n', `${LONG}\n`)];
    case 9: return ['a 10 MB label', good.replace(/\t[^\n]*\n/, `\t${LONG}\n`).replace(/^[^\t\n]*\t/, `${LONG}\t`)];
    case 10: return ['UTF-16 with a BOM', Buffer.from('\ufeff' + good.slice(0, 500), 'utf16le')];
    case 11: return ['CR line ends only', good.replace(/\n/g, '\r')];
    case 12: return ['every line a different label', good.split('\n').map((l, i) => l.replace(/\t.*$/, `\tlabel${i}`)).join('\n')];
    default: return ['tabs only', '\t\t\t\n\t\n'.repeat(20)];
  }
}

function dataCase(): FuzzCase {
  const task = random.pick(Object.keys(TASK_CONFIGS));
  const [what, bytes] = dataMutation(task);
  const asValidation = task !== 'embed' && random.int(4) === 0;   // embed has no validation data
  const cfg = structuredClone(TASK_CONFIGS[task]) as Record<string, Record<string, unknown>>;
  cfg.training = { steps: 2, batchSize: 4, sequenceLength: 16, evalEvery: 2 };
  cfg.model = { hidden: 8, embedding: 4 };
  if (task === 'embed') cfg.model = { embedding: 8 };
  cfg.data = { ...(cfg.data ?? {}), ...(asValidation ? { train: `good-${task}.txt`, validation: 'fuzzed.txt' } : {}) };
  const args = asValidation ? ['train', 'task.rnnconfig', '--steps', '2', '--out', 'fuzz-out'] : ['train', 'fuzzed.txt', '--config', 'task.rnnconfig', '--steps', '2', '--out', 'fuzz-out'];
  return { kind: 'data', what: `${task}${asValidation ? ' validation' : ''}: ${what}`, files: { 'fuzzed.txt': bytes, 'task.rnnconfig': config(cfg) }, args };
}

// ---- the run ------------------------------------------------------------------------------------
async function main(): Promise<number> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-probe-fuzz-'));
  const file = (name: string, content: string | Uint8Array) => fs.writeFileSync(path.join(work, name), content);
  file('corpus.txt', corpus(5000));
  file('text.txt', 'Harry sat on the mat.\nthe cat ran off\n');
  file('blob.bin', randomBytes(2000));
  fs.mkdirSync(path.join(work, 'folder'));
  spawnSync('mkfifo', [path.join(work, 'pipe.txt')]);
  for (const [task, text] of Object.entries(GOOD_DATA)) file(`good-${task}.txt`, text);

  // The saved runs whose models the model cases mutate (and that must still load at the end).
  const models: Record<string, Uint8Array> = {};
  for (const task of ['lm', 'lm-word', 'tag', 'classify']) {
    file(`${task}.rnnconfig`, config({ ...(TASK_CONFIGS[task] as object), model: { cell: random.pick(['rnn', 'gru', 'lstm']), hidden: 8, embedding: 4 }, training: { steps: 3, batchSize: 2, sequenceLength: 8, evalEvery: 3 } }));
    const r = await runCli(['train', `good-${task}.txt`, '--config', `${task}.rnnconfig`, '--out', `saved-${task}`], work);
    if (r.code !== 0) throw new Error(`training the ${task} model to fuzz: ${r.stderr}`);
    models[task] = new Uint8Array(fs.readFileSync(path.join(work, `saved-${task}`, 'model.onnx')));
  }

  const cases: (() => FuzzCase)[] = [
    ...Array.from({ length: counts.models }, () => () => modelCase(models)),
    ...Array.from({ length: counts.configs }, () => configCase),
    ...Array.from({ length: counts.data }, () => dataCase),
  ];
  const tally: Record<string, { cases: number; clear: number; accepted: number; bad: number }> = {};
  const bad: string[] = [];
  const started = performance.now();
  let longest = 0;
  for (const make of cases) {
    const c = make();
    for (const [name, content] of Object.entries(c.files)) file(name, content);
    fs.rmSync(path.join(work, 'fuzz-out'), { recursive: true, force: true });
    const r = await runCli(c.args, work, { timeoutMs: 90_000 });
    const t = (tally[c.kind] ??= { cases: 0, clear: 0, accepted: 0, bad: 0 });
    t.cases++;
    const why = r.timedOut ? 'timed out (90 s)' : r.signal ? `killed by ${r.signal}`
      : r.code === 0 ? null : r.code !== 2 ? `exit ${r.code}` : unclear(r.stderr, c.args[0]);
    const message = r.stderr.trim().split('\n').filter((l) => !/^\[#*-*\]/.test(l)).pop() ?? '';
    if (r.code === 2) longest = Math.max(longest, message.length);
    if (why) { t.bad++; bad.push(`${c.kind} (${c.what}) ${c.args.join(' ')}: ${why}: ${message.slice(0, 300)}`); }
    else if (r.code === 0) t.accepted++;
    else t.clear++;
    if (verbose) console.log(`${why ? 'BAD ' : r.code === 0 ? 'ok  ' : 'err '}${c.kind} (${c.what}): ${r.code === 0 ? 'accepted' : message.slice(0, 200)}`);
  }
  const lostSaved = Object.keys(models).filter((task) => checkRunFolder(path.join(work, `saved-${task}`)).problems.length > 0);
  fs.rmSync(work, { recursive: true, force: true });

  for (const [kind, t] of Object.entries(tally)) console.log(`${kind}: ${t.cases} cases, ${t.clear} clear errors, ${t.accepted} accepted (still valid input), ${t.bad} not clear`);
  const total = Object.values(tally).reduce((a, t) => ({ cases: a.cases + t.cases, bad: a.bad + t.bad }), { cases: 0, bad: 0 });
  console.log(`fuzz cases: ${total.cases}, not clear: ${total.bad}; saved runs that no longer load: ${lostSaved.length}; longest error message: ${longest} characters`);
  if (bad.length) console.log(bad.join('\n'));
  console.log(`time: ${seconds(performance.now() - started)}`);
  return total.bad || lostSaved.length ? 1 : 0;
}

void main().then((code) => process.exit(code));
