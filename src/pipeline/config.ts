// `.rnnconfig` loading: JSON with comments, validated against schemas/rnnconfig.schema.json (the one
// schema the extension ships), defaults filled in from it; errors name file, line, JSON path and
// what is allowed. Paths in `data` are resolved relative to the config file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import * as jsonc from 'jsonc-parser';
import { inputError } from './errors';
import type { Task } from './formats';
import { packageRoot } from './packageRoot';
import type { TokenizerKind } from './tokenizer';

export interface RnnConfig {
  readonly task?: Task;                       // unset: detected from the data file
  readonly data: {
    readonly train: string;                   // absolute after loading
    readonly validation: number | string;     // share held out, or an absolute path
    readonly tokenizer: TokenizerKind;
    readonly lowercase: boolean;              // word level
    readonly minCount: number;                // word level: rarer words → <unk>
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
  };
  readonly training: {
    readonly optimizer: string;
    readonly learningRate: number;
    readonly batchSize: number;
    readonly sequenceLength: number;
    readonly steps: number;
    readonly clipNorm: number;                // 0 = off
    readonly seed: number;
    readonly evalEvery: number;
    readonly patience: number;                // evaluations without a better validation loss before stopping; 0 = off
  };
  readonly sampling: {
    readonly temperature: number;
    readonly topK: number;
    readonly topP: number;
    readonly length: number;
    readonly prime: string;
  };
}

/** The values DESIGN.md §2 shows; used only for fields the schema leaves without a default. */
const DESIGN_DEFAULTS = {
  data: { validation: 0.1, tokenizer: 'char', lowercase: false, minCount: 1 },
  model: { cell: 'lstm', hidden: 128, layers: 1, bidirectional: false, peephole: false, resetAfter: true, activation: 'tanh', embedding: 64, dropout: 0 },
  training: { optimizer: 'adam', learningRate: 0.002, batchSize: 32, sequenceLength: 64, steps: 2000, clipNorm: 5, seed: 1, evalEvery: 100, patience: 0 },
  sampling: { temperature: 1.0, topK: 0, topP: 1.0, length: 200, prime: '' },
} as const;

export const SCHEMA_PATH = 'schemas/rnnconfig.schema.json';

let validator: ValidateFunction | null | undefined;

/** The compiled schema, or null while the schema file is not in the package. */
function schemaValidator(): ValidateFunction | null {
  if (validator !== undefined) return validator;
  const file = path.join(packageRoot(), SCHEMA_PATH);
  if (!fs.existsSync(file)) return (validator = null);
  const schema = JSON.parse(fs.readFileSync(file, 'utf8'));
  const is2020 = typeof schema.$schema === 'string' && schema.$schema.includes('2020-12');
  const options = { useDefaults: true, allErrors: false, strict: false };
  const ajv = is2020 ? new Ajv2020(options) : new Ajv(options);
  return (validator = ajv.compile(schema));
}

/** Loads, validates and completes a config file. `dataPath` overrides data.train (Train on This File). */
export function loadConfig(configPath: string, dataPath?: string): RnnConfig {
  const name = path.basename(configPath);
  if (!fs.existsSync(configPath)) throw inputError(configPath, 'no such config file; expected a .rnnconfig (JSON with comments)');
  return parseConfig(fs.readFileSync(configPath, 'utf8'), configPath, dataPath, name);
}

export function parseConfig(text: string, configPath: string, dataPath?: string, name = path.basename(configPath)): RnnConfig {
  const errors: jsonc.ParseError[] = [];
  const raw = jsonc.parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const e = errors[0];
    throw inputError(`${name}:${lineOf(text, e.offset)}`, `${jsonc.printParseErrorCode(e.error)}; expected JSON with comments`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw inputError(name, 'expected a JSON object at the top level');
  if (dataPath !== undefined) raw.data = { ...(raw.data ?? {}), train: dataPath };
  const validate = schemaValidator();
  if (validate && !validate(raw)) throw inputError(whereInConfig(name, text, validate.errors![0]), describeSchemaError(validate.errors![0]));
  return complete(raw, configPath, name, text);
}

function complete(raw: any, configPath: string, name: string, text: string): RnnConfig {
  const section = <K extends keyof typeof DESIGN_DEFAULTS>(key: K) => ({ ...DESIGN_DEFAULTS[key], ...(raw[key] ?? {}) });
  const data = section('data');
  if (typeof raw.data?.train !== 'string' || raw.data.train === '') {
    throw inputError(`${name}:${lineOfPath(text, ['data'])}`, '/data/train is missing; expected the path of the training file, relative to the config');
  }
  const dir = path.dirname(path.resolve(configPath));
  const config = {
    task: raw.task,
    data: {
      ...data,
      train: path.resolve(dir, raw.data.train),
      validation: typeof data.validation === 'string' ? path.resolve(dir, data.validation) : data.validation,
    },
    model: section('model'),
    training: section('training'),
    sampling: section('sampling'),
  } as RnnConfig;
  checkFallback(config, name, text);
  return config;
}

/** The choices the pipeline branches on, checked even before the schema exists. */
function checkFallback(c: RnnConfig, name: string, text: string): void {
  const oneOf = (value: unknown, allowed: readonly unknown[], at: string[]) => {
    if (!allowed.includes(value)) {
      throw inputError(`${name}:${lineOfPath(text, at)}`, `/${at.join('/')} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}; got ${JSON.stringify(value)}`);
    }
  };
  if (c.task !== undefined) oneOf(c.task, ['lm', 'tag', 'classify', 'seq2seq'], ['task']);
  oneOf(c.data.tokenizer, ['char', 'word'], ['data', 'tokenizer']);
  oneOf(c.model.cell, ['rnn', 'gru', 'lstm'], ['model', 'cell']);
  oneOf(c.model.activation, ['tanh', 'relu'], ['model', 'activation']);
  const positiveInt = (v: number, at: string[]) => {
    if (!Number.isInteger(v) || v < 1) throw inputError(`${name}:${lineOfPath(text, at)}`, `/${at.join('/')} must be a whole number ≥ 1; got ${JSON.stringify(v)}`);
  };
  positiveInt(c.model.hidden, ['model', 'hidden']);
  positiveInt(c.model.layers, ['model', 'layers']);
  positiveInt(c.training.batchSize, ['training', 'batchSize']);
  positiveInt(c.training.sequenceLength, ['training', 'sequenceLength']);
  positiveInt(c.training.steps, ['training', 'steps']);
  const v = c.data.validation;
  if (typeof v === 'number' && !(v >= 0 && v < 1)) {
    throw inputError(`${name}:${lineOfPath(text, ['data', 'validation'])}`, `/data/validation must be a share in [0, 1) or a file path; got ${v}`);
  }
  if (!(c.training.learningRate > 0)) {
    throw inputError(`${name}:${lineOfPath(text, ['training', 'learningRate'])}`, `/training/learningRate must be > 0; got ${c.training.learningRate}`);
  }
}

function describeSchemaError(e: ErrorObject): string {
  const at = e.instancePath || '/';
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'enum': return `${at} must be one of ${(p.allowedValues as unknown[]).map((a) => JSON.stringify(a)).join(', ')}`;
    case 'additionalProperties': return `${at} has an unknown field "${String(p.additionalProperty)}"`;
    case 'required': return `${at} is missing the required field "${String(p.missingProperty)}"`;
    default: return `${at} ${e.message ?? 'is invalid'}`;
  }
}

function whereInConfig(name: string, text: string, e: ErrorObject): string {
  const segments = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  return `${name}:${lineOfPath(text, segments)}`;
}

function lineOfPath(text: string, segments: string[]): number {
  const tree = jsonc.parseTree(text);
  for (let n = segments.length; n >= 0 && tree; n--) {
    const node = jsonc.findNodeAtLocation(tree, segments.slice(0, n));
    if (node) return lineOf(text, node.offset);
  }
  return 1;
}

const lineOf = (text: string, offset: number): number => text.slice(0, offset).split('\n').length;
