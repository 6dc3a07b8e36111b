// `.rnnconfig` loading: JSON with comments, validated against schemas/rnnconfig.schema.json (the one
// schema the extension ships; ajv fills its defaults in), errors naming file, line, JSON path and
// what is allowed. Paths in `data` are resolved relative to the config file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ErrorObject } from 'ajv';
import * as jsonc from 'jsonc-parser';
import { inputError, shortValue } from './errors';
import { fileKind } from './inputFiles';
import type { Task } from './formats';
import { applyTaskDefaults, schemaValidator } from './schema';
import type { TokenizerKind } from './tokenizer';

/** A validated config with every default filled in (field meanings: the schema's descriptions). */
export interface RnnConfig {
  readonly name: string;                      // run name; '' = the config file's name
  readonly task?: Task;                       // undefined for "auto": detected from the data file
  readonly data: {
    readonly train: string;                   // absolute after loading
    readonly validation: number | string;     // share held out, or an absolute path
    readonly tokenizer: TokenizerKind;
    readonly lowercase: boolean;
    readonly minCount: number;                // word level: rarer words → <unk>
    readonly maxVocab: number;                // word level: 0 = no limit
    readonly vectors: string;                 // GloVe file, absolute; '' = none
    readonly labels: readonly string[];       // tag / classify: class order; [] = as found
  };
  readonly model: {
    readonly cell: 'rnn' | 'gru' | 'lstm';
    readonly hidden: number;
    readonly layers: number;
    readonly bidirectional: boolean;
    readonly peephole: boolean;
    readonly resetAfter: boolean;
    readonly activation: 'tanh' | 'relu';
    readonly embedding: number;
    readonly dropout: number;
    readonly init: 'default' | 'orthogonal';
    readonly forgetBias: number;              // lstm only: b_f's starting value (0 = PyTorch)
    readonly head: 'softmax' | 'sigmoid';
    readonly method: 'skipgram' | 'cbow';      // embed only
    readonly attention: 'additive' | 'dot' | 'general' | 'none';  // seq2seq only
  };
  readonly training: {
    readonly optimizer: 'sgd' | 'adam' | 'adamw' | 'rmsprop' | 'adagrad';
    readonly learningRate: number;
    readonly momentum: number;
    readonly nesterov: boolean;
    readonly beta1: number;
    readonly beta2: number;
    readonly weightDecay: number;
    readonly schedule: 'constant' | 'step' | 'cosine';
    readonly warmupSteps: number;
    readonly decayEvery: number;
    readonly decayFactor: number;
    readonly minLearningRate: number;
    readonly batchSize: number;
    readonly sequenceLength: number;
    readonly teacherForcing: number;          // seq2seq only: share of decoder steps fed the true token
    readonly steps: number;
    readonly clipNorm: number;                // 0 = off
    readonly clipValue: number;               // 0 = off
    readonly seed: number;
    readonly evalEvery: number;
    readonly earlyStoppingPatience: number;   // evaluations without a better validation loss; 0 = off
    readonly checkpointEvery: number;
    readonly sampleEvery: number;
    readonly window: number;                  // embed only: context words on each side
    readonly negatives: number;               // embed only
    readonly subsample: number;               // embed only: 0 = keep every word
    readonly epochs: number;                  // embed only: passes instead of steps; 0 = use steps
    readonly probeWords: readonly string[];   // embed only: [] = chosen from the vocabulary
  };
  readonly sampling: {
    readonly temperature: number;
    readonly topK: number;
    readonly topP: number;
    readonly length: number;
    readonly prime: string;
    readonly beam: number;                    // seq2seq only: 1 = greedy
    readonly lengthPenalty: number;           // seq2seq only: α of log P / T^α
    readonly maxLength: number;               // seq2seq only: output tokens at most
  };
}

/** A config is a small file: larger ones are refused before they are read. */
export const MAX_CONFIG_BYTES = 4 * 2 ** 20;
/** Objects and arrays nested deeper than this are refused before parsing (the schema needs 4 levels). */
export const MAX_CONFIG_DEPTH = 64;

/** Loads, validates and completes a config file. `dataPath` overrides data.train (Train on This File). */
export function loadConfig(configPath: string, dataPath?: string): RnnConfig {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(configPath);
  } catch {
    throw inputError(configPath, 'no such config file; expected a .rnnconfig (JSON with comments)');
  }
  if (!stat.isFile()) throw inputError(configPath, `is ${fileKind(stat)}, not a regular file; expected a .rnnconfig (JSON with comments)`);
  if (stat.size > MAX_CONFIG_BYTES) {
    throw inputError(path.basename(configPath), `${stat.size.toLocaleString('en-US')} bytes, over the ${MAX_CONFIG_BYTES / 2 ** 20} MB a config may have; ` +
      'expected a small JSON file (the data goes in the files data.train names)');
  }
  return parseConfig(fs.readFileSync(configPath, 'utf8'), configPath, dataPath);
}

/** `text` is the config's content; `configPath` places it (relative paths, messages). */
export function parseConfig(text: string, configPath: string, dataPath?: string): RnnConfig {
  const name = path.basename(configPath);
  const deep = firstTooDeep(text, MAX_CONFIG_DEPTH);
  if (deep >= 0) throw inputError(`${name}:${lineOf(text, deep)}`, `nested more than ${MAX_CONFIG_DEPTH} levels deep; expected a config (4 levels)`);
  const errors: jsonc.ParseError[] = [];
  const raw = jsonc.parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const e = errors[0];
    throw inputError(`${name}:${lineOf(text, e.offset)}`, `${jsonc.printParseErrorCode(e.error)}; expected JSON with comments`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw inputError(name, 'expected a JSON object at the top level');
  const dir = path.dirname(path.resolve(configPath));
  if (dataPath !== undefined) raw.data = { ...(raw.data ?? {}), train: path.relative(dir, path.resolve(dataPath)) };
  applyTaskDefaults(raw);
  const validate = schemaValidator(false);
  const valid: boolean = validate(raw); // (a plain boolean: the type guard would narrow raw to unknown)
  if (!valid) {
    const all = validate.errors!;
    const e = all.find((x) => x.keyword === 'anyOf') ?? all[0];
    throw inputError(`${name}:${lineOfPath(text, pathSegments(e))}`, describeSchemaError(e));
  }
  if (raw.data.train === '') {
    throw inputError(`${name}:${lineOfPath(text, ['data', 'train'])}`, '/data/train is empty; expected the training file, relative to the config (or train on a file directly)');
  }
  const { validation, vectors } = raw.data;
  return {
    ...raw,
    task: raw.task === 'auto' ? undefined : raw.task,
    data: {
      ...raw.data,
      train: path.resolve(dir, raw.data.train),
      validation: typeof validation === 'string' ? path.resolve(dir, validation) : validation,
      vectors: vectors ? path.resolve(dir, vectors) : '',
    },
  } as RnnConfig;
}

/** "/training/learningRate must be <= 10, got 50" plus the schema's own hint when it has one. */
function describeSchemaError(e: ErrorObject): string {
  const at = e.instancePath || '/';
  const p = e.params as Record<string, unknown>;
  const got = e.keyword === 'additionalProperties' || e.keyword === 'required' ? '' : `, got ${shortValue(e.data)}`;
  const hint = (e.parentSchema as { errorMessage?: string } | undefined)?.errorMessage;
  let what: string;
  switch (e.keyword) {
    case 'enum': what = `${at} must be one of ${(p.allowedValues as unknown[]).map((a) => JSON.stringify(a)).join(', ')}`; break;
    case 'additionalProperties': what = `${at} has an unknown field ${shortValue(String(p.additionalProperty))}`; break;
    case 'required': what = `${at} is missing the required field "${String(p.missingProperty)}"`; break;
    case 'anyOf': what = `${at} is not valid`; break;
    default: what = `${at} ${e.message ?? 'is invalid'}`;
  }
  return `${what}${got}${hint ? ` (${hint})` : ''}`;
}

const pathSegments = (e: ErrorObject): string[] =>
  e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));

function lineOfPath(text: string, segments: string[]): number {
  const tree = jsonc.parseTree(text);
  for (let n = segments.length; n >= 0 && tree; n--) {
    const node = jsonc.findNodeAtLocation(tree, segments.slice(0, n));
    if (node) return lineOf(text, node.offset);
  }
  return 1;
}

const lineOf = (text: string, offset: number): number => {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
};

/**
 * The offset of the first bracket that opens level maxDepth + 1, or -1: a scan that skips strings
 * and comments, so a config nested 100,000 deep is refused before a recursive parser meets it.
 */
export function firstTooDeep(text: string, maxDepth: number): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {                                                   // "…" with escapes
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2f) {         // // line comment
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {         // /* block comment */
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (c === 0x7b || c === 0x5b) {                              // { [
      if (++depth > maxDepth) return i;
    } else if (c === 0x7d || c === 0x5d) {                              // } ]
      depth--;
    }
  }
  return -1;
}

