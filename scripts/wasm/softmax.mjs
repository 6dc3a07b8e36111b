// Piece "softmax" of the kernel module: softmax cross-entropy over rows [r0, r1) of the logits, as
// softmaxCrossEntropy in src/engine/loss.ts (no mask): dLogits = (softmax - onehot) / count, and per
// row the f64 pair (Σ e^(x - max), max - x[target]) from which the caller adds log(sum) + that to
// the loss (WASM has no log). Pointers bytes; C any size (a tail of C % 4 goes lane by lane).
import { expInto, expTemps, f4 } from './cells.mjs';

export const exports = ['softmax_xent'];

export function wat({ madd }) {
  const expLane0 = (x) => [...expInto(`(f32x4.splat ${x})`, madd)]; // exp of a scalar: lane 0 of $e
  return [`
  (func $softmax_xent (export "softmax_xent") (param $r0 i32) (param $r1 i32) (param $C i32) (param $logits i32) (param $targets i32)
    (param $dLogits i32) (param $rowOut i32) (param $invCountBits i32) (param $ws i32)
    (local $r i32) (local $x i32) (local $d i32) (local $o i32) (local $C4 i32) (local $Cv i32) (local $tgt i32)
    (local $vm v128) (local $vs v128) (local $m f32) (local $s f32) (local $scale v128) (local $inv f32) ${expTemps}
    (local.set $inv (f32.reinterpret_i32 (local.get $invCountBits)))
    (local.set $C4 (i32.shl (local.get $C) (i32.const 2)))
    (local.set $Cv (i32.and (local.get $C4) (i32.const -16)))
    (local.set $r (local.get $r0))
    (block $done (loop $rows
      (br_if $done (i32.ge_s (local.get $r) (local.get $r1)))
      (local.set $x (i32.add (local.get $logits) (i32.mul (local.get $r) (local.get $C4))))
      (local.set $d (i32.add (local.get $dLogits) (i32.mul (local.get $r) (local.get $C4))))
      ;; max
      (local.set $vm ${f4('-inf')})
      (local.set $o (i32.const 0))
      (block $mv (loop $mvl
        (br_if $mv (i32.ge_u (local.get $o) (local.get $Cv)))
        (local.set $vm (f32x4.max (local.get $vm) (v128.load (i32.add (local.get $x) (local.get $o)))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $mvl)))
      (local.set $m (f32.max (f32.max (f32x4.extract_lane 0 (local.get $vm)) (f32x4.extract_lane 1 (local.get $vm)))
                             (f32.max (f32x4.extract_lane 2 (local.get $vm)) (f32x4.extract_lane 3 (local.get $vm)))))
      (block $mt (loop $mtl
        (br_if $mt (i32.ge_u (local.get $o) (local.get $C4)))
        (local.set $m (f32.max (local.get $m) (f32.load (i32.add (local.get $x) (local.get $o)))))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $mtl)))
      ;; e^(x - max) into dLogits, summed
      (local.set $vm (f32x4.splat (local.get $m)))
      (local.set $vs (v128.const i32x4 0 0 0 0))
      (local.set $o (i32.const 0))
      (block $ev (loop $evl
        (br_if $ev (i32.ge_u (local.get $o) (local.get $Cv)))
        ${expInto('(f32x4.sub (v128.load (i32.add (local.get $x) (local.get $o))) (local.get $vm))', madd).join('\n        ')}
        (v128.store (i32.add (local.get $d) (local.get $o)) (local.get $e))
        (local.set $vs (f32x4.add (local.get $vs) (local.get $e)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $evl)))
      (local.set $s (f32.add (f32.add (f32x4.extract_lane 0 (local.get $vs)) (f32x4.extract_lane 1 (local.get $vs)))
                             (f32.add (f32x4.extract_lane 2 (local.get $vs)) (f32x4.extract_lane 3 (local.get $vs)))))
      (block $et (loop $etl
        (br_if $et (i32.ge_u (local.get $o) (local.get $C4)))
        ${expLane0('(f32.sub (f32.load (i32.add (local.get $x) (local.get $o))) (local.get $m))').join('\n        ')}
        (f32.store (i32.add (local.get $d) (local.get $o)) (f32x4.extract_lane 0 (local.get $e)))
        (local.set $s (f32.add (local.get $s) (f32x4.extract_lane 0 (local.get $e))))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $etl)))
      (local.set $tgt (i32.shl (i32.load (i32.add (local.get $targets) (i32.shl (local.get $r) (i32.const 2)))) (i32.const 2)))
      (f64.store (i32.add (local.get $rowOut) (i32.shl (local.get $r) (i32.const 4))) (f64.promote_f32 (local.get $s)))
      (f64.store offset=8 (i32.add (local.get $rowOut) (i32.shl (local.get $r) (i32.const 4)))
        (f64.sub (f64.promote_f32 (local.get $m)) (f64.promote_f32 (f32.load (i32.add (local.get $x) (local.get $tgt))))))
      ;; scale to softmax / count, then the target's -1 / count
      (local.set $scale (f32x4.splat (f32.div (local.get $inv) (local.get $s))))
      (local.set $o (i32.const 0))
      (block $sv (loop $svl
        (br_if $sv (i32.ge_u (local.get $o) (local.get $Cv)))
        (v128.store (i32.add (local.get $d) (local.get $o)) (f32x4.mul (v128.load (i32.add (local.get $d) (local.get $o))) (local.get $scale)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $svl)))
      (block $st (loop $stl
        (br_if $st (i32.ge_u (local.get $o) (local.get $C4)))
        (f32.store (i32.add (local.get $d) (local.get $o)) (f32.mul (f32.load (i32.add (local.get $d) (local.get $o))) (f32x4.extract_lane 0 (local.get $scale))))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $stl)))
      (f32.store (i32.add (local.get $d) (local.get $tgt)) (f32.sub (f32.load (i32.add (local.get $d) (local.get $tgt))) (local.get $inv)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))`];
}
