// A seq2seq model on disk and in memory: writing encoder.onnx + decoder.onnx into a run folder, and
// opening one for inference on either backend. MODEL is a run folder (its encoder.onnx and
// decoder.onnx; before the first save, its checkpoint), or either of the two .onnx files (the other
// is found beside it: encoder.onnx ↔ decoder.onnx, or NAME.encoder.onnx ↔ NAME.decoder.onnx).
// The engine backend reads the weights out of the ONNX pair, so both backends run the same model.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createSeq2SeqModel } from '../../engine/seq2seq/model';
import { engineRunner, type Seq2SeqRunner } from '../../engine/seq2seq/search';
import type { Seq2SeqSpec } from '../../engine/seq2seq/spec';
import { isSeq2SeqSpec } from '../../engine/modelKinds';
import { writeFileAtomic } from '../atomicFile';
import { inputError, isInputError } from '../errors';
import { checkMeta, fromOnnxMetadata, toOnnxMetadata, type ModelMeta } from '../modelMeta';
import { RUN_FILES, runFile } from '../runStore';
import { Tokenizer } from '../tokenizer';
import type { Backend } from '../loadModel';
import { readAnyRunCheckpoint } from '../loadModel';

type OnnxModule = typeof import('../../onnx');
const onnx = (): OnnxModule => require('../../onnx') as OnnxModule;

export interface LoadedSeq2Seq {
  readonly source: string;
  readonly backend: Backend;
  readonly spec: Seq2SeqSpec;
  readonly meta: ModelMeta;
  readonly sourceTokenizer: Tokenizer;
  readonly targetTokenizer: Tokenizer;
  readonly runner: Seq2SeqRunner<unknown, unknown>;
  dispose(): void;
}

/** Both files of a seq2seq model as ONNX bytes with their metadata. */
export function seq2seqOnnxFiles(spec: Seq2SeqSpec, params: ArrayLike<number>, meta: ModelMeta, step?: number): { encoder: Uint8Array; decoder: Uint8Array } {
  const weights = params instanceof Float32Array ? params : Float32Array.from(params);
  const metadata = toOnnxMetadata(meta, step);
  return { encoder: onnx().exportSeq2SeqEncoder(spec, weights, metadata), decoder: onnx().exportSeq2SeqDecoder(spec, weights, metadata) };
}

/** Writes encoder.onnx and decoder.onnx into the run folder, each atomically. */
export function writeSeq2SeqFiles(runDir: string, spec: Seq2SeqSpec, params: ArrayLike<number>, meta: ModelMeta, step?: number): void {
  const files = seq2seqOnnxFiles(spec, params, meta, step);
  writeFileAtomic(runFile(runDir, 'encoder'), files.encoder);
  writeFileAtomic(runFile(runDir, 'decoder'), files.decoder);
}

/** The encoder/decoder pair a MODEL path names, or null when it names no seq2seq model. */
export function seq2seqFilesOf(source: string): { encoder: string; decoder: string } | null {
  if (fs.existsSync(source) && fs.statSync(source).isDirectory()) {
    const encoder = runFile(source, 'encoder'), decoder = runFile(source, 'decoder');
    return fs.existsSync(encoder) || fs.existsSync(decoder) ? { encoder, decoder } : null;
  }
  const base = path.basename(source);
  const m = /^(.*?)(encoder|decoder)\.onnx$/i.exec(base);
  if (!m) return null;
  const sibling = (part: string) => path.join(path.dirname(source), `${m[1]}${part}.onnx`);
  return { encoder: sibling('encoder'), decoder: sibling('decoder') };
}

/** True when MODEL (a run folder or .onnx path) is a seq2seq model. */
export function isSeq2SeqModel(source: string): boolean {
  if (seq2seqFilesOf(source)) return true;
  if (!fs.existsSync(source) || !fs.statSync(source).isDirectory() || !fs.existsSync(runFile(source, 'checkpoint'))) return false;
  try {
    return isSeq2SeqSpec(readAnyRunCheckpoint(source).spec);
  } catch {
    return false;
  }
}

export function loadSeq2Seq(source: string, backend: Backend = 'engine'): LoadedSeq2Seq {
  if (!fs.existsSync(source)) throw inputError(source, 'no such model; expected a run folder or an encoder.onnx/decoder.onnx file');
  const files = seq2seqFilesOf(source);
  if (!files) {
    // A run folder saved no ONNX yet: its checkpoint (engine only).
    const run = readAnyRunCheckpoint(source);
    if (!isSeq2SeqSpec(run.spec)) throw inputError(source, `holds a ${run.meta.task} model, not seq2seq; use label, predict or sample`);
    if (backend === 'ort') throw inputError(source, `has no ${RUN_FILES.encoder} and ${RUN_FILES.decoder} yet for the ort backend; use --backend engine`);
    const model = createSeq2SeqModel(run.spec, 'f32');
    model.params.set(run.params);
    return opened(source, backend, run.spec, run.meta, engineRunner(model), () => undefined);
  }
  for (const file of [files.encoder, files.decoder]) {
    if (!fs.existsSync(file)) throw inputError(source, `needs ${path.basename(file)} beside it (a seq2seq model is an encoder and a decoder)`);
  }
  const encoderBytes = new Uint8Array(fs.readFileSync(files.encoder)), decoderBytes = new Uint8Array(fs.readFileSync(files.decoder));
  const names = { encoder: path.basename(files.encoder), decoder: path.basename(files.decoder) };
  try {
    if (backend === 'ort') {
      const ort = onnx().openSeq2SeqOrt(encoderBytes, decoderBytes, names);
      return opened(source, backend, ort.spec, metaOf(ort.metadata, names.decoder), ort as Seq2SeqRunner<unknown, unknown>, () => ort.dispose());
    }
    const imported = onnx().importSeq2Seq(encoderBytes, decoderBytes, names);
    const model = createSeq2SeqModel(imported.spec, 'f32');
    model.params.set(imported.params);
    return opened(source, backend, imported.spec, metaOf(imported.metadata, names.decoder), engineRunner(model) as Seq2SeqRunner<unknown, unknown>, () => undefined);
  } catch (e) {
    if (isInputError(e)) throw e;
    throw inputError(source, (e as Error).message);
  }
}

function metaOf(metadata: Record<string, string>, where: string): ModelMeta {
  return checkMeta(fromOnnxMetadata(metadata, where), where);
}

function opened(source: string, backend: Backend, spec: Seq2SeqSpec, meta: ModelMeta, runner: Seq2SeqRunner<unknown, unknown>, dispose: () => void): LoadedSeq2Seq {
  if (meta.task !== 'seq2seq' || !meta.targetTokenizer) throw inputError(source, 'has no seq2seq vocabularies in its metadata; expected a model trained by RNN Lab');
  return {
    source, backend, spec, meta, sourceTokenizer: new Tokenizer(meta.tokenizer), targetTokenizer: new Tokenizer(meta.targetTokenizer),
    runner, dispose,
  };
}

/**
 * `rnn-lab export RUN_DIR OUT.onnx` on a seq2seq run: its pair as OUT.encoder.onnx and OUT.decoder.onnx
 * (each atomically; a MODEL path of either one finds the other). Returns the paths written.
 */
export function exportSeq2SeqPair(runDir: string, out: string): string[] {
  const files = seq2seqFilesOf(runDir);
  if (!files || !fs.existsSync(files.encoder) || !fs.existsSync(files.decoder)) {
    throw inputError(runDir, `has no ${RUN_FILES.encoder} and ${RUN_FILES.decoder} yet; they are written at the first checkpoint`);
  }
  const stem = out.replace(/\.onnx$/i, '');
  const targets = [`${stem}.encoder.onnx`, `${stem}.decoder.onnx`];
  writeFileAtomic(targets[0], fs.readFileSync(files.encoder));
  writeFileAtomic(targets[1], fs.readFileSync(files.decoder));
  return targets;
}
