// What the dashboard's figures mean, in the course notes' notation (§1.1.2 forward propagation and
// loss, §1.1.4 vanishing gradients): the tooltips of every stat card and chart, and the notes beside
// the gradient-through-time chart. Each tip says what it is, its formula, and what a healthy value is.

export interface Tip { readonly what: string; readonly formula: string; readonly healthy: string }

export const tipText = (t: Tip): string => `${t.what}\n${t.formula}\nHealthy: ${t.healthy}`;

export const statTips = {
  step: { what: 'Optimizer steps done, of the steps planned (training.steps).',
    formula: 'One step = one minibatch of B sequences of up to T tokens (batchSize, sequenceLength).',
    healthy: 'it counts up steadily; a run stopped early keeps its last checkpoint.' },
  loss: { what: 'Training loss of the latest steps, smoothed by the slider.',
    formula: 'L = (1/T) Σ_t L<t>, L<t> = −log ŷ<t>[y<t>] (cross-entropy, nats per token); shown as the EMA s = w·s + (1−w)·L.',
    healthy: 'falling. Random guessing among C choices gives ln C (ln 4 ≈ 1.39; a character model starts near ln V ≈ 4).' },
  firstLoss: { what: 'The loss of step 1, with the initial random weights.',
    formula: 'About ln C for C equally likely classes or tokens: −log(1/C).',
    healthy: 'close to ln C; far above it means an eager initialisation or learning rate.' },
  valLoss: { what: 'The lowest loss on held-out data so far (data.validation); model.onnx keeps those weights.',
    formula: 'The same L as above, on sequences the model never trains on, every evalEvery steps.',
    healthy: 'close to the training loss. Rising while the training loss falls is overfitting.' },
  tokensPerSec: { what: 'Training throughput.',
    formula: 'B·T tokens per step ÷ seconds per step.',
    healthy: 'steady; it depends on the machine and on other runs sharing its cores.' },
  eta: { what: 'Time left at the current speed.',
    formula: '(steps planned − steps done) × mean seconds per step.',
    healthy: 'shrinking; "–" once the run ended.' },
  lr: { what: 'The learning rate η of the latest step.',
    formula: 'training.learningRate after warm-up and the schedule (constant, step or cosine); θ ← θ − η·update.',
    healthy: 'what the config says; if the loss jumps, lower it.' },
  clip: { what: 'Steps whose gradient was clipped (share while training, count afterwards).',
    formula: 'When ‖g‖ > clipNorm: g ← clipNorm · g / ‖g‖ (the notes: "a simple solution is gradient clipping").',
    healthy: 'a few percent. Most steps clipped: the learning rate is too high or gradients explode.' },
  exactMatch: { what: 'seq2seq: the share of validation sources whose whole output equals the target (latest evaluation).',
    formula: 'exact match = (1/N) Σ_i [ŷ_i = y_i], outputs by the search of sampling.beam.',
    healthy: 'rising towards 100% on a task with one right answer, such as the dates.' },
  bleu: { what: 'seq2seq: corpus BLEU-4 of the validation outputs against their targets (latest evaluation).',
    formula: 'BP · exp(Σ_{n=1..4} ¼ log p_n), p_n = clipped n-gram precision, BP = min(1, e^(1 − r/c)).',
    healthy: 'rising with exact match; above exact match when outputs are nearly right.' },
  perplexity: { what: 'lm, seq2seq: the training loss as a number of choices: as unsure as a fair pick among this many tokens.',
    formula: 'perplexity = exp(L), L the smoothed loss in nats per token.',
    healthy: 'falling from about V (the vocabulary size, guessing) towards a few.' },
  valPerplexity: { what: 'lm, seq2seq: perplexity of the held-out data at the lowest validation loss (its step in brackets).',
    formula: 'exp(best validation loss); rnn-lab eval on the validation file gives the same number for model.onnx.',
    healthy: 'close to the training perplexity.' },
  bitsPerChar: { what: 'char models: the loss in bits per character, the unit compression and char-rnn papers use.',
    formula: 'bits = L / ln 2 (training, smoothed · best validation).',
    healthy: 'falling well below log2 V, what guessing among V characters gives (6 bits for 64).' },
  modelStep: { what: 'The step whose weights model.onnx holds: what eval, labels and samples of this run use.',
    formula: 'With validation data the step of the lowest validation loss (run.json\'s bestStep, Keras\' restore_best_weights); without, the latest checkpoint.',
    healthy: 'close to the latest step; far behind it, the model has been overfitting since.' },
} satisfies Record<string, Tip>;

export const chartTips = {
  quality: { what: 'seq2seq: exact match and BLEU of the validation data at every evaluation.',
    formula: 'exact match = share of outputs equal to their target; BLEU-4 over target tokens.',
    healthy: 'both climb and level off; a fall while the training loss still falls is overfitting.' },
  loss: { what: 'Loss per step: raw (faint), smoothed, validation (every evalEvery steps); dots mark clipped steps; dashed lines are compared runs.',
    formula: 'L = Σ_t L<t>(ŷ<t>, y<t>) / T, cross-entropy in nats per token.',
    healthy: 'both curves fall and stay close; a widening gap is overfitting, a sudden jump an exploding gradient.' },
  gradient: { what: 'How much the loss reaches back in time: ‖∂L/∂a<t>‖ for t = 1..T of the latest BPTT windows (layer 0), log scale, newest brightest.',
    formula: '∂L/∂a<t−1> = W_aaᵀ (g′(z<t>) ⊙ ∂L/∂a<t>) + ∂L<t−1>/∂a<t−1>: a product of one factor per step back.',
    healthy: 'within a decade or two across t. Falling by many decades towards t = 1 is a vanishing gradient (the early tokens cannot be learned); rising is an exploding one.' },
  heat: { what: 'Every reported window as a row (oldest on top), each time step t as a column.',
    formula: 'brightness ∝ log10 ‖∂L/∂a<t>‖ on the scale of the legend; a mark at the left edge = that step was clipped.',
    healthy: 'even brightness across each row; a dark left side is a vanishing gradient.' },
  gradNorm: { what: 'The global gradient norm of every step, before clipping; the dashed line is clipNorm.',
    formula: '‖g‖ = √(Σ over all parameters θ of (∂L/∂θ)²).',
    healthy: 'a band that settles slowly. Spikes of orders of magnitude are exploding gradients: clipping caps them.' },
  lr: { what: 'The learning rate of every step.', formula: 'η after warm-up and schedule.', healthy: 'the shape the schedule promises.' },
  tokensPerSec: { what: 'Throughput of every step.', formula: 'B·T tokens ÷ step time.', healthy: 'flat, apart from evaluations and other runs.' },
} satisfies Record<string, Tip>;

/** Beside the gradient-through-time chart: the notes' explanation (§1.1.4) of what it shows. */
export const vanishNotes: readonly string[] = [
  'Vanishing gradients (notes §1.1.4): "Basic RNNs are not very good at capturing long-term dependencies, similar to deep NN where backpropagation has difficulties to impact on earlier weights."',
  'Back through time every step multiplies the gradient by W_aaᵀ·diag(tanh′): when those factors are below 1, ‖∂L/∂a<1>‖ ≪ ‖∂L/∂a<T>‖ and the chart falls towards the left. The number to read is the ratio under each chart, ‖∂L/∂a⟨1⟩‖ / ‖∂L/∂a⟨T⟩‖.',
  'The LSTM\'s cure: its memory cell adds instead of multiplying, c<t> = Γ_u ⊙ c̃<t> + Γ_f ⊙ c<t−1>, so with the forget gate Γ_f near 1 the gradient passes through many steps almost unchanged ("quite easy for the network to forward to the right the initial c_0 value").',
  'Exploding gradients are the same product above 1: "easier to spot and happens fewer times. Simple solution is to apply gradient clipping" (training.clipNorm).',
  'Try it: Train a Sample Model… → vanish-rnn and vanish-lstm (long-memory.tsv, the label is the first of 96 characters), or explode-noclip and explode-clip.',
];
