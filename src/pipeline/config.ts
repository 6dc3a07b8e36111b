// `.rnnconfig` loading: JSON with comments, validated against schemas/rnnconfig.schema.json (the one
// schema the extension ships; ajv fills its defaults in), errors naming file, line, JSON path and
// what is allowed. Paths in `data` are resolved relative to the config file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ErrorObject } from 'ajv';
import * as jsonc from 'jsonc-parser';
import { inputError } from './errors';
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

/** Loads, validates and completes a config file. `dataPath` overrides data.train (Train on This File). */
export function loadConfig(configPath: string, dataPath?: string): RnnConfig {
  if (!fs.existsSync(configPath)) throw inputError(configPath, 'no such config file; expected a .rnnconfig (JSON with comments)');
  return parseConfig(fs.readFileSync(configPath, 'utf8'), configPath, dataPath);
}

/** `text` is the config's content; `configPath` places it (relative paths, messages). */
export function parseConfig(text: string, configPath: string, dataPath?: string): RnnConfig {
  const name = path.basename(configPath);
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
  const got = e.keyword === 'additionalProperties' || e.keyword === 'required' ? '' : `, got ${JSON.stringify(e.data)}`;
  const hint = (e.parentSchema as { errorMessage?: string } | undefined)?.errorMessage;
  let what: string;
  switch (e.keyword) {
    case 'enum': what = `${at} must be one of ${(p.allowedValues as unknown[]).map((a) => JSON.stringify(a)).join(', ')}`; break;
    case 'additionalProperties': what = `${at} has an unknown field "${String(p.additionalProperty)}"`; break;
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

const lineOf = (text: string, offset: number): number => text.slice(0, offset).split('\n').length;
