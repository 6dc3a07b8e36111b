// A language model's cross-entropy over a stream of token ids, one sequence read in order (batch 1,
// the state carried), each token predicted from everything before it and the first one from a line
// start: −ln p(x<t> | x<1..t-1>), in nats. One definition for `rnn-lab eval`, the validation loss
// during training and the surprisal `label` shows, so their numbers agree (mean surprisal = eval loss).
//
// W = window (tokens fed per forward), C = vocabulary (logits per token).
import { copyState, type Model, type RecurrentState } from '../../engine/model';
import { directions } from '../../engine/spec';

/** Batch-1 windows: logits (W, C) of tokens fed in order from `state`, which is updated in place. */
export interface WindowModel<S = unknown> {
  initialState(): S;
  window(tokens: Int32Array, state: S): ArrayLike<number>;
}

/** The engine's model as a WindowModel (a forward of W steps at batch 1 per window). */
export function engineWindows(model: Model): WindowModel<RecurrentState> {
  return {
    // Plain zeros, not model.initialState's WebAssembly arena (which never frees): forward copies them in.
    initialState() {
      const size = model.spec.layers * directions(model.spec) * model.spec.hidden;
      const zeros = () => (model.dtype === 'f64' ? new Float64Array(size) : new Float32Array(size));
      return { B: 1, h: zeros(), c: model.spec.cell === 'lstm' ? zeros() : null };
    },
    window(tokens, state) {
      const out = model.forward({ tokens, T: tokens.length, B: 1 }, { train: false, state });
      copyState(out.state, state);
      return out.logits;
    },
  };
}

const WINDOW = 256;

export class LmScorer {
  private readonly inputs = new Int32Array(WINDOW);    // (W) x<t-1>, the start token first
  private readonly targets = new Int32Array(WINDOW);   // (W) x<t>
  private filled = 0;
  private previous: number;
  private readonly state: unknown;
  private sum = 0;
  private count = 0;

  /** `onToken(i, nats)` is told each token's surprisal, i counting the tokens pushed from 0. */
  constructor(private readonly model: WindowModel, private readonly C: number, startToken: number,
    private readonly onToken?: (index: number, nats: number) => void) {
    this.previous = startToken;
    this.state = model.initialState();
  }

  push(id: number): void {
    this.inputs[this.filled] = this.previous;
    this.targets[this.filled] = id;
    this.previous = id;
    if (++this.filled === WINDOW) this.run();
  }

  /** Scores what is still buffered; tokens = tokens predicted, loss = their mean cross-entropy (nats). */
  finish(): { tokens: number; loss: number } {
    if (this.filled > 0) this.run();
    return { tokens: this.count, loss: this.count > 0 ? this.sum / this.count : NaN };
  }

  private run(): void {
    const { C, filled } = this;
    const logits = this.model.window(this.inputs.subarray(0, filled), this.state);
    for (let r = 0; r < filled; r++) {
      const nats = crossEntropyRow(logits, r * C, C, this.targets[r]);
      this.sum += nats;
      this.onToken?.(this.count, nats);
      this.count++;
    }
    this.filled = 0;
  }
}

/** −ln softmax(logits[o..o+C))[target] = logsumexp − logit[target], without overflow. */
export function crossEntropyRow(logits: ArrayLike<number>, o: number, C: number, target: number): number {
  let max = -Infinity;
  for (let k = 0; k < C; k++) if (logits[o + k] > max) max = logits[o + k];
  let sum = 0;
  for (let k = 0; k < C; k++) sum += Math.exp(logits[o + k] - max);
  return Math.log(sum) + max - logits[o + target];
}
