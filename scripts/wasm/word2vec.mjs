// Piece "word2vec" of the kernel module: word2vec's SGD over a batch of SGNS examples, the update of
// src/engine/word2vec/sgns.ts's sgnsSgdUpdate (its TypeScript reference) in WebAssembly SIMD.
// Per example: h = mean of its input rows of Win, then for each output slot s = Wout[o]·h,
// g = lr·(σ(s) − y), dh += g·Wout[o], Wout[o] −= g·h; last Win[i] −= dh/n for its inputs.
// The scores s go to `scores` (N, S) (0 at unused slots), from which the caller sums the loss.
// N examples, C input slots, S output slots, E width; ids are i32 (-1 = unused slot), rows f32;
// every pointer is a byte address. σ is computed in f64 with exp by range reduction (k·ln 2 + r,
// a degree-11 polynomial for e^r, |r| ≤ ln 2 / 2: error ~1e-15), as WebAssembly has no exp.

export const exports = ['sgns_sgd'];

/** A loop over the E floats of a row, $e the byte offset: body4 for each 4 floats (SIMD), body1 for the tail. */
const rowLoop = (label, body4, body1) => `
    (local.set $e (i32.const 0))
    (block $${label}_vdone (loop $${label}_v
      (br_if $${label}_vdone (i32.gt_s (i32.add (local.get $e) (i32.const 16)) (local.get $e4)))
      ${body4}
      (local.set $e (i32.add (local.get $e) (i32.const 16)))
      (br $${label}_v)))
    (block $${label}_sdone (loop $${label}_s
      (br_if $${label}_sdone (i32.ge_s (local.get $e) (local.get $eb)))
      ${body1}
      (local.set $e (i32.add (local.get $e) (i32.const 4)))
      (br $${label}_s)))`;

export function wat({ madd }) {
  const at = (p) => `(i32.add (local.get ${p}) (local.get $e))`;
  const v = (p) => `(v128.load ${at(p)})`;
  const f = (p) => `(f32.load ${at(p)})`;
  let poly = '(f64.const 1)';
  for (let i = 11; i >= 1; i--) poly = `(f64.add (f64.const 1) (f64.div (f64.mul ${poly} (local.get $r)) (f64.const ${i})))`;
  return [`
  (func $w2v_exp (param $x f64) (result f64)
    (local $k f64) (local $r f64)
    (local.set $x (f64.min (f64.const 700) (f64.max (f64.const -700) (local.get $x))))
    (local.set $k (f64.nearest (f64.mul (local.get $x) (f64.const 1.4426950408889634))))
    (local.set $r (f64.sub (f64.sub (local.get $x) (f64.mul (local.get $k) (f64.const 0.6931471803691238)))
      (f64.mul (local.get $k) (f64.const 1.9082149292705877e-10))))
    (f64.mul ${poly}
      (f64.reinterpret_i64 (i64.shl (i64.add (i64.trunc_f64_s (local.get $k)) (i64.const 1023)) (i64.const 52)))))`, `
  (func $w2v_sigmoid (param $s f64) (result f64)
    (local $z f64)
    (if (result f64) (f64.ge (local.get $s) (f64.const 0))
      (then (f64.div (f64.const 1) (f64.add (f64.const 1) (call $w2v_exp (f64.neg (local.get $s))))))
      (else
        (local.set $z (call $w2v_exp (local.get $s)))
        (f64.div (local.get $z) (f64.add (f64.const 1) (local.get $z))))))`, `
  (func (export "sgns_sgd") (param $N i32) (param $C i32) (param $S i32) (param $E i32) (param $inputs i32) (param $outputs i32)
    (param $Win i32) (param $Wout i32) (param $h i32) (param $dh i32) (param $lr f32) (param $scores i32)
    (local $r i32) (local $c i32) (local $j i32) (local $id i32) (local $n i32) (local $row i32)
    (local $e i32) (local $e4 i32) (local $eb i32) (local $slot i32)
    (local $s f32) (local $g f32) (local $inv f32) (local $acc v128) (local $g4 v128)
    (local.set $eb (i32.shl (local.get $E) (i32.const 2)))
    (local.set $e4 (i32.shl (i32.and (local.get $E) (i32.const -4)) (i32.const 2)))
    (local.set $r (i32.const 0))
    (block $done (loop $examples
      (br_if $done (i32.ge_s (local.get $r) (local.get $N)))
      (memory.fill (local.get $h) (i32.const 0) (local.get $eb))
      (memory.fill (local.get $dh) (i32.const 0) (local.get $eb))
      ;; h = Σ Win[inputs], then / n
      (local.set $n (i32.const 0))
      (local.set $c (i32.const 0))
      (block $in_done (loop $in
        (br_if $in_done (i32.ge_s (local.get $c) (local.get $C)))
        (local.set $id (i32.load (i32.add (local.get $inputs) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $C)) (local.get $c)) (i32.const 2)))))
        (if (i32.ge_s (local.get $id) (i32.const 0)) (then
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (local.set $row (i32.add (local.get $Win) (i32.mul (local.get $id) (local.get $eb))))
          ${rowLoop('sum', `(v128.store ${at('$h')} (f32x4.add ${v('$h')} ${v('$row')}))`, `(f32.store ${at('$h')} (f32.add ${f('$h')} ${f('$row')}))`)}))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $in)))
      (if (i32.gt_s (local.get $n) (i32.const 1)) (then
        (local.set $inv (f32.div (f32.const 1) (f32.convert_i32_s (local.get $n))))
        (local.set $g4 (f32x4.splat (local.get $inv)))
        ${rowLoop('mean', `(v128.store ${at('$h')} (f32x4.mul ${v('$h')} (local.get $g4)))`, `(f32.store ${at('$h')} (f32.mul ${f('$h')} (local.get $inv)))`)}))
      ;; each output slot: score, then dh += g·Wout[o], Wout[o] -= g·h
      (local.set $j (i32.const 0))
      (block $out_done (loop $out
        (br_if $out_done (i32.ge_s (local.get $j) (local.get $S)))
        (local.set $slot (i32.shl (i32.add (i32.mul (local.get $r) (local.get $S)) (local.get $j)) (i32.const 2)))
        (local.set $id (i32.load (i32.add (local.get $outputs) (local.get $slot))))
        (if (i32.lt_s (local.get $id) (i32.const 0))
          (then (f32.store (i32.add (local.get $scores) (local.get $slot)) (f32.const 0)))
          (else
            (local.set $row (i32.add (local.get $Wout) (i32.mul (local.get $id) (local.get $eb))))
            (local.set $acc (v128.const i32x4 0 0 0 0))
            (local.set $s (f32.const 0))
            ${rowLoop('dot', `(local.set $acc ${madd(v('$row'), v('$h'), '(local.get $acc)')})`, `(local.set $s (f32.add (local.get $s) (f32.mul ${f('$row')} ${f('$h')})))`)}
            (local.set $s (f32.add (local.get $s) (f32.add
              (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
              (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc))))))
            (f32.store (i32.add (local.get $scores) (local.get $slot)) (local.get $s))
            (local.set $g (f32.mul (local.get $lr) (f32.demote_f64 (f64.sub (call $w2v_sigmoid (f64.promote_f32 (local.get $s)))
              (f64.convert_i32_s (i32.eqz (local.get $j)))))))
            (local.set $g4 (f32x4.splat (local.get $g)))
            ${rowLoop('upd', `(v128.store ${at('$dh')} ${madd('(local.get $g4)', v('$row'), v('$dh'))})
      (v128.store ${at('$row')} ${madd('(f32x4.neg (local.get $g4))', v('$h'), v('$row'))})`,
    `(f32.store ${at('$dh')} (f32.add ${f('$dh')} (f32.mul (local.get $g) ${f('$row')})))
      (f32.store ${at('$row')} (f32.sub ${f('$row')} (f32.mul (local.get $g) ${f('$h')})))`)}))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $out)))
      ;; Win[inputs] -= dh / n
      (if (i32.gt_s (local.get $n) (i32.const 0)) (then
        (local.set $inv (f32.div (f32.const 1) (f32.convert_i32_s (local.get $n))))
        (local.set $g4 (f32x4.splat (f32.neg (local.get $inv))))
        (local.set $c (i32.const 0))
        (block $back_done (loop $back
          (br_if $back_done (i32.ge_s (local.get $c) (local.get $C)))
          (local.set $id (i32.load (i32.add (local.get $inputs) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $C)) (local.get $c)) (i32.const 2)))))
          (if (i32.ge_s (local.get $id) (i32.const 0)) (then
            (local.set $row (i32.add (local.get $Win) (i32.mul (local.get $id) (local.get $eb))))
            ${rowLoop('back', `(v128.store ${at('$row')} ${madd('(local.get $g4)', v('$dh'), v('$row'))})`, `(f32.store ${at('$row')} (f32.sub ${f('$row')} (f32.mul ${f('$dh')} (local.get $inv))))`)}))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $back)))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $examples))))`];
}
