// The host side of the inference worker: starts it on first use, numbers jobs, routes answers back
// to promises and streams, cancels. A crashed worker fails its jobs and is restarted on the next one.
// Node-level (no vscode), so unit tests drive it directly.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type {
  HostToInference, InferenceToHost, LabelResult, ModelInfo, ModelRef, PredictionResult, SampleSettings, TextRegion,
  TranslateSettings, TranslationResult,
} from '../../protocol/inference';
import type { EmbeddingSpace } from '../../protocol/embeddings';
import type { EvalProgress } from '../../protocol/evaluation';

/** The worker script beside this module: dist/inferenceWorker.js bundled, out/src/pipeline/inference/ under tsc. */
export const INFERENCE_WORKER_SCRIPT = path.join(__dirname, 'inferenceWorker.js');

export class InferenceError extends Error {
  override readonly name = 'InferenceError';
  constructor(message: string, readonly badInput: boolean) {
    super(message);
  }
}

/** A running job: its result (undefined when cancelled; rejects with InferenceError on failure). */
export interface InferenceJob<T> {
  readonly id: number;
  readonly result: Promise<T | undefined>;
  cancel(): void;
}

export interface LabelAnswer {
  readonly info: ModelInfo;
  readonly result: LabelResult;
  readonly linesComputed: number;
  readonly linesCached: number;
}

interface Pending {
  settle(m: InferenceToHost): void;
  fail(e: Error): void;
}

/**
 * What the extension's inference features ask of the worker: InferenceClient in production; tests
 * may wrap one to watch the jobs go by.
 */
export interface InferenceService {
  info(model: ModelRef): InferenceJob<ModelInfo>;
  label(model: ModelRef, regions: readonly TextRegion[]): InferenceJob<LabelAnswer>;
  predict(model: ModelRef, region: TextRegion, options: PredictOptions): InferenceJob<PredictionResult>;
  sample(model: ModelRef, settings: SampleSettings, onText: (text: string) => void): InferenceJob<number>;
  translate(model: ModelRef, regions: readonly TextRegion[], settings: TranslateSettings): InferenceJob<TranslationResult>;
  dispose(): void;
}

/** An evaluation as the worker ends it: the report, the weights' step, the eval-<file>.json it saved. */
export type EvaluationAnswer = Omit<Extract<InferenceToHost, { type: 'evaluation' }>, 'type' | 'job'>;

/** What Evaluate Model on File asks of a worker (InferenceClient; tests may wrap one). */
export interface EvaluationService {
  evaluate(model: ModelRef, file: string, onProgress: (progress: EvalProgress) => void): InferenceJob<EvaluationAnswer>;
}

export interface PredictOptions {
  readonly topK: number;
  readonly maxTokens: number;
  readonly activations: boolean;
}

type JobRequest = HostToInference extends infer M ? M extends { job: number } ? Omit<M, 'job'> : never : never;

export class InferenceClient implements InferenceService, EvaluationService {
  private worker: Worker | undefined;
  private nextJob = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly script = INFERENCE_WORKER_SCRIPT) {}

  info(model: ModelRef): InferenceJob<ModelInfo> {
    return this.start({ type: 'info', model }, (m) => (m.type === 'info' ? m.info : undefined));
  }

  label(model: ModelRef, regions: readonly TextRegion[]): InferenceJob<LabelAnswer> {
    return this.start({ type: 'label', model, regions }, (m) => (m.type === 'labels'
      ? { info: m.info, result: m.result, linesComputed: m.linesComputed, linesCached: m.linesCached } : undefined));
  }

  predict(model: ModelRef, region: TextRegion, options: PredictOptions): InferenceJob<PredictionResult> {
    return this.start({ type: 'predict', model, region, ...options }, (m) => (m.type === 'predictions' ? m.result : undefined));
  }

  /** seq2seq: each non-blank line of the regions with its output, beam candidates and attention. */
  translate(model: ModelRef, regions: readonly TextRegion[], settings: TranslateSettings): InferenceJob<TranslationResult> {
    return this.start({ type: 'translate', model, regions, settings }, (m) => (m.type === 'translations' ? m.result : undefined));
  }

  /** The word vectors of `source` (run folder, .onnx, vectors file): every word and the first `draw` vectors. */
  vectorSpace(source: string, display: string, draw: number): InferenceJob<EmbeddingSpace> {
    return this.start({ type: 'vectorSpace', source, display, draw }, (m) => (m.type === 'vectorSpace' ? m.space : undefined));
  }

  vectorNeighbors(source: string, word: string, k: number): InferenceJob<Extract<InferenceToHost, { type: 'vectorNeighbors' }>> {
    return this.start({ type: 'vectorNeighbors', source, word, k }, (m) => (m.type === 'vectorNeighbors' ? m : undefined));
  }

  vectorAnalogy(source: string, a: string, b: string, c: string, k: number): InferenceJob<Extract<InferenceToHost, { type: 'vectorAnalogy' }>> {
    return this.start({ type: 'vectorAnalogy', source, a, b, c, k }, (m) => (m.type === 'vectorAnalogy' ? m : undefined));
  }

  /** Streams generated text into onText as it comes; the result is the number of tokens generated. */
  sample(model: ModelRef, settings: SampleSettings, onText: (text: string) => void): InferenceJob<number> {
    return this.start({ type: 'sample', model, settings }, (m) => {
      if (m.type === 'sampleChunk') { onText(m.text); return undefined; }
      return m.type === 'sampleDone' ? m.tokens : undefined;
    }, true);
  }

  /** Scores `model` on a labelled file in the worker; progress streams into onProgress. */
  evaluate(model: ModelRef, file: string, onProgress: (progress: EvalProgress) => void): InferenceJob<EvaluationAnswer> {
    return this.start({ type: 'evaluate', model, file }, (m) => {
      if (m.type === 'evalProgress') { onProgress(m.progress); return undefined; }
      return m.type === 'evaluation' ? { report: m.report, step: m.step, saved: m.saved } : undefined;
    }, true);
  }

  dispose(): void {
    const worker = this.worker;
    this.worker = undefined;
    for (const p of this.pending.values()) p.fail(new InferenceError('the inference worker was shut down', false));
    this.pending.clear();
    void worker?.terminate();
  }

  /**
   * Posts a job. `answer` maps a message of this job to its result, or undefined for intermediate
   * messages (streams); cancelled and failed messages are handled here.
   */
  private start<T>(request: JobRequest, answer: (m: InferenceToHost) => T | undefined, streaming = false): InferenceJob<T> {
    const id = this.nextJob++;
    const worker = this.ensureWorker();
    let settled = false;
    const result = new Promise<T | undefined>((resolve, reject) => {
      this.pending.set(id, {
        settle: (m) => {
          if (m.type === 'cancelled') return finish(() => resolve(undefined));
          if (m.type === 'failed') return finish(() => reject(new InferenceError(m.message, m.badInput)));
          const value = answer(m);
          if (value !== undefined || !streaming) finish(() => resolve(value));
        },
        fail: (e) => finish(() => reject(e)),
      });
      const finish = (done: () => void) => {
        if (settled) return;
        settled = true;
        this.pending.delete(id);
        done();
      };
    });
    worker.postMessage({ ...request, job: id } as HostToInference);
    return {
      id, result,
      cancel: () => { if (!settled && this.worker) this.worker.postMessage({ type: 'cancel', job: id } satisfies HostToInference); },
    };
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script);
    worker.unref();
    worker.on('message', (m: InferenceToHost) => this.pending.get(m.job)?.settle(m));
    const crashed = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const p of this.pending.values()) p.fail(new InferenceError(`the inference worker ${why}`, false));
      this.pending.clear();
    };
    worker.on('error', (e) => crashed(`crashed: ${e.message}`));
    worker.on('exit', (code) => crashed(`exited (code ${code})`));
    this.worker = worker;
    return worker;
  }
}
