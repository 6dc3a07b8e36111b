// Piece "sequence" of the kernel module: a recurrent layer's whole window in one direction in one
// call, for batch rows [r0, r1): per time step the recurrent GEMM on R packed once (pack_b, panels
// over the whole K) and the pointwise cell math, in place in the layer's buffers. Rows of a batch
// are independent through time, so two threads run disjoint row ranges with no per-step hand-off.
// The TypeScript reference is the per-step loop in src/engine/kernels.ts (sequenceKernels).
//
// T = steps, B = batch, H = hidden, G = gates; every buffer time-major, pointers and strides bytes:
//   gates, dGates, dRecur (T,B,G*H); hs, cs (T+1,B,H) with the state before step t at row block t
//   (forward, dir 0) or t+1 (dir 1, right to left) and after it at t+1 or t; tanhC, extra (T,B,H);
//   out, dOut: (T,B,·) at byte row stride ldo, already offset to this direction's columns.
// Only LSTM without peepholes and GRU with resetAfter, and no padding: the engine checks that.

export const exports = ['lstm_seq_fwd', 'lstm_seq_bwd', 'gru_seq_fwd', 'gru_seq_bwd'];

const g = (x) => `(local.get ${x})`;
const add = (a, b) => `(i32.add ${a} ${b})`, mul = (a, b) => `(i32.mul ${a} ${b})`;
/** Byte address of row r0 of block `blk` (T-index) in a (·,B,width) buffer whose row is `rowBytes`. */
const at = (base, blk, rowBytes) => add(g(base), mul(add(mul(blk, g('$B')), g('$r0')), rowBytes));

/** Shared prologue: H4 = H*4, rows = r1 - r0, t/before/after for the step s (set by the loop). */
const stepIndices = `
      (local.set $t (select (i32.sub (i32.sub (local.get $T) (i32.const 1)) (local.get $s)) (local.get $s) (local.get $dir)))
      (local.set $before (select (i32.add (local.get $t) (i32.const 1)) (local.get $t) (local.get $dir)))
      (local.set $after (select (local.get $t) (i32.add (local.get $t) (i32.const 1)) (local.get $dir)))`;
const locals = '(local $s i32) (local $t i32) (local $before i32) (local $after i32) (local $rows i32) (local $H4 i32) (local $GB i32) (local $tmp i32)';

/** for s = 0..T-1 (forward) */
const forwardLoop = (body) => `
    (local.set $s (i32.const 0))
    (block $done (loop $steps
      (br_if $done (i32.ge_s (local.get $s) (local.get $T)))${stepIndices}
      ${body.join('\n      ')}
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br $steps)))`;
/** for s = T-1..0 (backward), then dh/dhP (and dc/dcP) swap each step */
const backwardLoop = (body, swaps) => `
    (local.set $s (i32.sub (local.get $T) (i32.const 1)))
    (block $done (loop $steps
      (br_if $done (i32.lt_s (local.get $s) (i32.const 0)))${stepIndices}
      ${body.join('\n      ')}
      ${swaps.map(([a, b]) => `(local.set $tmp (local.get ${a})) (local.set ${a} (local.get ${b})) (local.set ${b} (local.get $tmp))`).join('\n      ')}
      (local.set $s (i32.sub (local.get $s) (i32.const 1)))
      (br $steps)))`;

const setup = (G) => `
    (local.set $H4 (i32.shl (local.get $H) (i32.const 2)))
    (local.set $GB (i32.mul (local.get $H4) (i32.const ${G})))
    (local.set $rows (i32.sub (local.get $r1) (local.get $r0)))
    (if (i32.le_s (local.get $rows) (i32.const 0)) (then (return)))`;

/** dh (rows,H) += dOut at step t; then, when sq is set, sq[t*B + r] (f64) = Σ_j dh[r,j]² for each row. */
const addOutputGrad = [
  `(call $add_rows (local.get $rows) (local.get $H) ${at('$dOut', g('$t'), g('$ldo'))} (local.get $ldo) (local.get $dh) (local.get $H4))`,
  `(if (local.get $sq) (then (call $sumsq_rows (local.get $rows) (local.get $H) (local.get $dh) (i32.add (local.get $sq) (i32.shl (i32.add (i32.mul (local.get $t) (local.get $B)) (local.get $r0)) (i32.const 3))))))`,
];

export function wat() {
  const out = [];
  // sumsq_rows: out[r] (f64) = Σ X[r,:]² over M rows of N.
  out.push(`
  (func $sumsq_rows (param $M i32) (param $N i32) (param $X i32) (param $dst i32)
    (local $p i32) (local $end i32) (local $acc f64) (local $x f64)
    (block $done (loop $rows
      (br_if $done (i32.le_s (local.get $M) (i32.const 0)))
      (local.set $acc (f64.const 0))
      (local.set $p (local.get $X))
      (local.set $end (i32.add (local.get $X) (i32.shl (local.get $N) (i32.const 2))))
      (block $edone (loop $e
        (br_if $edone (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $x (f64.promote_f32 (f32.load (local.get $p))))
        (local.set $acc (f64.add (local.get $acc) (f64.mul (local.get $x) (local.get $x))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $e)))
      (f64.store (local.get $dst) (local.get $acc))
      (local.set $X (local.get $end))
      (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
      (local.set $M (i32.sub (local.get $M) (i32.const 1)))
      (br $rows))))`);

  // LSTM forward: gates (input part in) += hBefore·Rᵀ (Rp = pack_b of Rᵀ: K=H, N=4H), then the cell.
  out.push(`
  (func $lstm_seq_fwd (export "lstm_seq_fwd") (param $r0 i32) (param $r1 i32) (param $T i32) (param $B i32) (param $H i32) (param $dir i32)
    (param $gates i32) (param $hs i32) (param $cs i32) (param $tanhC i32) (param $Rp i32) (param $out i32) (param $ldo i32) (param $ws i32)
    ${locals}
    ${setup(4)}${forwardLoop([
    `(call $gemm_pb (local.get $rows) (i32.shl (local.get $H) (i32.const 2)) (local.get $H) (f32.const 1) ${at('$hs', g('$before'), g('$H4'))} (local.get $H4) (i32.const 4)
        (local.get $Rp) ${at('$gates', g('$t'), g('$GB'))} (local.get $GB) (local.get $ws) (i32.const 0))`,
    `(call $lstm_fwd (local.get $rows) (local.get $H) ${at('$gates', g('$t'), g('$GB'))} ${at('$cs', g('$before'), g('$H4'))} ${at('$cs', g('$after'), g('$H4'))}
        ${at('$tanhC', g('$t'), g('$H4'))} ${at('$hs', g('$after'), g('$H4'))})`,
    `(call $copy_rows (local.get $rows) (local.get $H) ${at('$hs', g('$after'), g('$H4'))} (local.get $H4) ${at('$out', g('$t'), g('$ldo'))} (local.get $ldo))`,
  ])})`);

  // LSTM backward: dh (dhA) and dc (dcA) hold dL/dh, dL/dc after the last step (rows r0..r1);
  // per step dh += dOut, dGates = cell backward, dcPrev = dc⊙f, dhPrev = dGates·R (Rp = pack_b of
  // R: K=4H, N=H). dhA/dhB and dcA/dcB ping-pong.
  out.push(`
  (func $lstm_seq_bwd (export "lstm_seq_bwd") (param $r0 i32) (param $r1 i32) (param $T i32) (param $B i32) (param $H i32) (param $dir i32)
    (param $dOut i32) (param $ldo i32) (param $dGates i32) (param $gates i32) (param $tanhC i32) (param $cs i32) (param $Rp i32)
    (param $dh i32) (param $dhP i32) (param $dc i32) (param $dcP i32) (param $sq i32) (param $ws i32)
    ${locals}
    ${setup(4)}
    (local.set $dh (i32.add (local.get $dh) (i32.mul (local.get $r0) (local.get $H4))))
    (local.set $dhP (i32.add (local.get $dhP) (i32.mul (local.get $r0) (local.get $H4))))
    (local.set $dc (i32.add (local.get $dc) (i32.mul (local.get $r0) (local.get $H4))))
    (local.set $dcP (i32.add (local.get $dcP) (i32.mul (local.get $r0) (local.get $H4))))${backwardLoop([
    ...addOutputGrad,
    '(call $scale_rows (local.get $rows) (local.get $H) (f32.const 0) (local.get $dcP) (local.get $H4))',
    `(call $lstm_bwd (local.get $rows) (local.get $H) ${at('$dGates', g('$t'), g('$GB'))} (local.get $dcP) (local.get $dh) (local.get $dc)
        ${at('$gates', g('$t'), g('$GB'))} ${at('$tanhC', g('$t'), g('$H4'))} ${at('$cs', g('$before'), g('$H4'))})`,
    // dhPrev = dGates·R, written (init) rather than zeroed and accumulated
    `(call $gemm_pb (local.get $rows) (local.get $H) (i32.shl (local.get $H) (i32.const 2)) (f32.const 1) ${at('$dGates', g('$t'), g('$GB'))} (local.get $GB) (i32.const 4)
        (local.get $Rp) (local.get $dhP) (local.get $H4) (local.get $ws) (i32.const 1))`,
  ], [['$dh', '$dhP'], ['$dc', '$dcP']])})`);

  // GRU forward (resetAfter): recur (B,3H scratch) = hBefore·Rᵀ (Rp: K=H, N=3H), then the cell;
  // Rbh is the h block of Rb.
  out.push(`
  (func $gru_seq_fwd (export "gru_seq_fwd") (param $r0 i32) (param $r1 i32) (param $T i32) (param $B i32) (param $H i32) (param $dir i32)
    (param $gates i32) (param $hs i32) (param $extra i32) (param $recur i32) (param $Rbh i32) (param $Rp i32) (param $out i32) (param $ldo i32) (param $ws i32)
    ${locals}
    ${setup(3)}
    (local.set $recur (i32.add (local.get $recur) (i32.mul (local.get $r0) (local.get $GB))))${forwardLoop([
    `(call $gemm_pb (local.get $rows) (i32.mul (local.get $H) (i32.const 3)) (local.get $H) (f32.const 1) ${at('$hs', g('$before'), g('$H4'))} (local.get $H4) (i32.const 4)
        (local.get $Rp) (local.get $recur) (local.get $GB) (local.get $ws) (i32.const 1))`,
    `(call $gru_fwd (local.get $rows) (local.get $H) ${at('$gates', g('$t'), g('$GB'))} (local.get $recur) (local.get $Rbh) ${at('$extra', g('$t'), g('$H4'))}
        ${at('$hs', g('$after'), g('$H4'))} ${at('$hs', g('$before'), g('$H4'))})`,
    `(call $copy_rows (local.get $rows) (local.get $H) ${at('$hs', g('$after'), g('$H4'))} (local.get $H4) ${at('$out', g('$t'), g('$ldo'))} (local.get $ldo))`,
  ])})`);

  // GRU backward (resetAfter): per step dh += dOut, cell backward into dGates and dRecur,
  // dhPrev += dRecur·R (Rp: K=3H, N=H).
  out.push(`
  (func $gru_seq_bwd (export "gru_seq_bwd") (param $r0 i32) (param $r1 i32) (param $T i32) (param $B i32) (param $H i32) (param $dir i32)
    (param $dOut i32) (param $ldo i32) (param $dGates i32) (param $dRecur i32) (param $gates i32) (param $extra i32) (param $hs i32) (param $Rp i32)
    (param $dh i32) (param $dhP i32) (param $sq i32) (param $ws i32)
    ${locals}
    ${setup(3)}
    (local.set $dh (i32.add (local.get $dh) (i32.mul (local.get $r0) (local.get $H4))))
    (local.set $dhP (i32.add (local.get $dhP) (i32.mul (local.get $r0) (local.get $H4))))${backwardLoop([
    ...addOutputGrad,
    '(call $scale_rows (local.get $rows) (local.get $H) (f32.const 0) (local.get $dhP) (local.get $H4))',
    `(call $gru_bwd (local.get $rows) (local.get $H) ${at('$dGates', g('$t'), g('$GB'))} ${at('$dRecur', g('$t'), g('$GB'))} (local.get $dhP) (local.get $dh)
        ${at('$gates', g('$t'), g('$GB'))} ${at('$extra', g('$t'), g('$H4'))} ${at('$hs', g('$before'), g('$H4'))})`,
    `(call $gemm_pb (local.get $rows) (local.get $H) (i32.mul (local.get $H) (i32.const 3)) (f32.const 1) ${at('$dRecur', g('$t'), g('$GB'))} (local.get $GB) (i32.const 4)
        (local.get $Rp) (local.get $dhP) (local.get $H4) (local.get $ws) (i32.const 0))`,
  ], [['$dh', '$dhP']])})`);
  return out;
}
