// Checkpoints as bytes (no fs here): the model's spec (any kind, see modelKinds.ts), weights,
// optimizer state, rng states, step, schedule, carried recurrent states and free JSON for the
// caller, so a resumed run continues exactly. A corrupt, truncated or foreign file is rejected
// with an error saying which.
//
// Layout, little-endian:
//   0   "RNNLABCK"                 magic, 8 bytes
//   8   u32 version                FORMAT_VERSION
//   12  u32 headerBytes            length of the UTF-8 JSON header
//   16  header JSON                CheckpointHeader: everything but the numbers, and where they are
//   ..  zero padding to a multiple of 8
//   ..  sections                   raw numbers (f32 or f64 LE), one after another, each 8-aligned
//   end u32 CRC-32                 of every byte before it (IEEE 802.3 polynomial, as zip/png)

import { checkModelKind, paramCountOf, type AnyModelSpec } from './modelKinds';
import { allocVec, dtypeOf, type DType, type Vec } from './tensor';
import type { OptimizerConfig, OptimizerState } from './optim';
import type { ScheduleConfig } from './schedule';
import type { RngState } from './rng';
import type { RecurrentState } from './model';

export const FORMAT_VERSION = 1;
const MAGIC = 'RNNLABCK';
const PREAMBLE = 16;

export interface Checkpoint {
  readonly spec: AnyModelSpec;                              // spec.kind says which model (absent = recurrent)
  readonly params: Vec;                                     // layoutOf(spec) order
  readonly step: number;                                    // optimizer updates done
  readonly optimizer: { readonly config: OptimizerConfig; readonly state: OptimizerState } | null;
  readonly schedule: ScheduleConfig | null;
  readonly clip: ClipSettings | null;
  readonly rngs: Readonly<Record<string, RngState>>;        // e.g. { dropout, data }
  readonly states: Readonly<Record<string, RecurrentState>>; // e.g. the state carried across BPTT windows
  readonly extra: unknown;                                  // caller's JSON (data cursor, vocabulary, ...)
}

/** Clipping thresholds and how often they fired so far. */
export interface ClipSettings {
  readonly maxNorm: number | null;
  readonly maxValue: number | null;
  readonly steps: number;
  readonly clipped: number;
}

interface SectionEntry { readonly name: string; readonly dtype: DType; readonly length: number; readonly offset: number }

interface CheckpointHeader {
  readonly spec: AnyModelSpec;
  readonly step: number;
  readonly optimizer: { readonly config: OptimizerConfig; readonly kind: OptimizerState['kind']; readonly stepCount: number; readonly buffers: string[] } | null;
  readonly schedule: ScheduleConfig | null;
  readonly clip: ClipSettings | null;
  readonly rngs: Record<string, RngState>;
  readonly states: Record<string, { readonly B: number; readonly lstm: boolean }>;
  readonly extra: unknown;
  readonly sections: SectionEntry[];   // offsets from the start of the first section
}

const align8 = (n: number): number => (n + 7) & ~7;

export function encodeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  const expected = paramCountOf(checkpoint.spec);
  if (checkpoint.params.length !== expected) {
    throw new Error(`encodeCheckpoint: params has ${checkpoint.params.length} values, the spec needs ${expected}`);
  }
  const vectors: Vec[] = [];
  const sections: SectionEntry[] = [];
  let dataBytes = 0;
  const addSection = (name: string, v: Vec) => {
    const dtype = dtypeOf(v);
    sections.push({ name, dtype, length: v.length, offset: dataBytes });
    vectors.push(v);
    dataBytes += align8(v.length * (dtype === 'f32' ? 4 : 8));
  };
  addSection('params', checkpoint.params);
  const opt = checkpoint.optimizer;
  const bufferNames = opt ? Object.keys(opt.state.buffers).sort() : [];
  if (opt) for (const name of bufferNames) addSection(`optimizer.${name}`, opt.state.buffers[name]);
  const states: CheckpointHeader['states'] = {};
  for (const [name, s] of Object.entries(checkpoint.states)) {
    states[name] = { B: s.B, lstm: s.c !== null };
    addSection(`state.${name}.h`, s.h);
    if (s.c) addSection(`state.${name}.c`, s.c);
  }
  const header: CheckpointHeader = {
    spec: checkpoint.spec,
    step: checkpoint.step,
    optimizer: opt ? { config: opt.config, kind: opt.state.kind, stepCount: opt.state.stepCount, buffers: bufferNames } : null,
    schedule: checkpoint.schedule,
    clip: checkpoint.clip,
    rngs: { ...checkpoint.rngs },
    states,
    extra: checkpoint.extra ?? null,
    sections,
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align8(PREAMBLE + headerBytes.length);
  const total = dataStart + dataBytes + 4;
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < MAGIC.length; i++) bytes[i] = MAGIC.charCodeAt(i);
  view.setUint32(8, FORMAT_VERSION, true);
  view.setUint32(12, headerBytes.length, true);
  bytes.set(headerBytes, PREAMBLE);
  sections.forEach((section, k) => {
    const v = vectors[k];
    let at = dataStart + section.offset;
    if (section.dtype === 'f32') for (let i = 0; i < v.length; i++, at += 4) view.setFloat32(at, v[i], true);
    else for (let i = 0; i < v.length; i++, at += 8) view.setFloat64(at, v[i], true);
  });
  view.setUint32(total - 4, crc32(bytes, 0, total - 4), true);
  return bytes;
}

/** Reads a checkpoint; `source` names the file in errors. Buffers come from allocVec. */
export function decodeCheckpoint(bytes: Uint8Array, source = 'checkpoint'): Checkpoint {
  const fail = (what: string): never => {
    throw new Error(`${source}: ${what}`);
  };
  if (bytes.length < PREAMBLE + 4) fail(`${bytes.length} bytes is too short for a checkpoint`);
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC.charCodeAt(i)) fail(`not an RNN Lab checkpoint (expected the header "${MAGIC}")`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== FORMAT_VERSION) fail(`checkpoint format version ${version} is not supported (expected ${FORMAT_VERSION})`);
  const stored = view.getUint32(bytes.length - 4, true);
  const actual = crc32(bytes, 0, bytes.length - 4);
  if (stored !== actual) {
    fail(`checkpoint is corrupt or truncated: checksum ${hex(actual)} does not match the stored ${hex(stored)}`);
  }
  const headerLength = view.getUint32(12, true);
  if (PREAMBLE + headerLength > bytes.length - 4) fail(`header length ${headerLength} runs past the end of the file`);
  let header: CheckpointHeader;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREAMBLE, PREAMBLE + headerLength)));
  } catch (err) {
    return fail(`header is not valid JSON: ${(err as Error).message}`);
  }
  const dataStart = align8(PREAMBLE + headerLength);
  const vectors = new Map<string, Vec>();
  for (const section of header.sections) {
    const width = section.dtype === 'f32' ? 4 : 8;
    let at = dataStart + section.offset;
    if (at + section.length * width > bytes.length - 4) fail(`section ${section.name} runs past the end of the file`);
    const v = allocVec(section.dtype, section.length);
    if (width === 4) for (let i = 0; i < v.length; i++, at += 4) v[i] = view.getFloat32(at, true);
    else for (let i = 0; i < v.length; i++, at += 8) v[i] = view.getFloat64(at, true);
    vectors.set(section.name, v);
  }
  const section = (name: string): Vec => vectors.get(name) ?? fail(`section ${name} is missing`);

  const params = section('params');
  let spec: AnyModelSpec, needed: number;
  try {
    spec = checkModelKind(header.spec, source);
    needed = paramCountOf(spec);
  } catch (err) {
    return fail((err as Error).message.replace(`${source}: `, ''));
  }
  if (params.length !== needed) fail(`params has ${params.length} values, its spec needs ${needed}`);
  const opt = header.optimizer;
  const buffers: Record<string, Vec> = {};
  if (opt) for (const name of opt.buffers) buffers[name] = section(`optimizer.${name}`);
  const states: Record<string, RecurrentState> = {};
  for (const [name, s] of Object.entries(header.states)) {
    states[name] = { B: s.B, h: section(`state.${name}.h`), c: s.lstm ? section(`state.${name}.c`) : null };
  }
  return {
    spec,
    params,
    step: header.step,
    optimizer: opt ? { config: opt.config, state: { kind: opt.kind, stepCount: opt.stepCount, buffers } } : null,
    schedule: header.schedule,
    clip: header.clip,
    rngs: header.rngs,
    states,
    extra: header.extra,
  };
}

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE) of bytes[start, end). */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
