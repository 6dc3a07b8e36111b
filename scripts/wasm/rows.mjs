// Piece "rows" of the kernel module: the element-wise helpers of src/engine/kernels.ts (C: M rows of
// N at stride ldc, bytes).

export const exports = ['scale_rows', 'add_rows', 'gather_rows', 'scatter_add_rows', 'sum_squares'];

/** The piece's WAT functions (plain f32x4 arithmetic: the same in both variants). */
export function wat() {
  const out = [];
  // scale_rows: C *= beta (beta = 0 writes zeros, so NaNs in C do not survive).
  out.push(`
  (func $scale_rows (export "scale_rows") (param $M i32) (param $N i32) (param $beta f32) (param $C i32) (param $ldc i32)
    (local $p i32) (local $end i32) (local $b4 v128) (local $zero i32)
    (local.set $b4 (f32x4.splat (local.get $beta)))
    (local.set $zero (f32.eq (local.get $beta) (f32.const 0)))
    (block $done (loop $rows
      (br_if $done (i32.le_s (local.get $M) (i32.const 0)))
      (local.set $p (local.get $C))
      (local.set $end (i32.add (local.get $C) (i32.shl (local.get $N) (i32.const 2))))
      (block $vdone (loop $v
        (br_if $vdone (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $end)))
        (if (local.get $zero) (then (v128.store (local.get $p) (v128.const i32x4 0 0 0 0)))
          (else (v128.store (local.get $p) (f32x4.mul (v128.load (local.get $p)) (local.get $b4)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $v)))
      (block $sdone (loop $s
        (br_if $sdone (i32.ge_u (local.get $p) (local.get $end)))
        (if (local.get $zero) (then (f32.store (local.get $p) (f32.const 0)))
          (else (f32.store (local.get $p) (f32.mul (f32.load (local.get $p)) (local.get $beta)))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $s)))
      (local.set $C (i32.add (local.get $C) (local.get $ldc)))
      (local.set $M (i32.sub (local.get $M) (i32.const 1)))
      (br $rows))))`);
  // add_rows: each of M rows of Y (stride ldy) += x (N); x_stride 0 = bias broadcast (addBiasRows),
  // and with the roles swapped (Y one row, x walking the rows of A) it is sumRows.
  out.push(`
  (func $add_rows (export "add_rows") (param $M i32) (param $N i32) (param $X i32) (param $ldx i32) (param $Y i32) (param $ldy i32)
    (local $px i32) (local $py i32) (local $end i32)
    (block $done (loop $rows
      (br_if $done (i32.le_s (local.get $M) (i32.const 0)))
      (local.set $px (local.get $X))
      (local.set $py (local.get $Y))
      (local.set $end (i32.add (local.get $Y) (i32.shl (local.get $N) (i32.const 2))))
      (block $vdone (loop $v
        (br_if $vdone (i32.gt_u (i32.add (local.get $py) (i32.const 16)) (local.get $end)))
        (v128.store (local.get $py) (f32x4.add (v128.load (local.get $py)) (v128.load (local.get $px))))
        (local.set $px (i32.add (local.get $px) (i32.const 16)))
        (local.set $py (i32.add (local.get $py) (i32.const 16)))
        (br $v)))
      (block $sdone (loop $s
        (br_if $sdone (i32.ge_u (local.get $py) (local.get $end)))
        (f32.store (local.get $py) (f32.add (f32.load (local.get $py)) (f32.load (local.get $px))))
        (local.set $px (i32.add (local.get $px) (i32.const 4)))
        (local.set $py (i32.add (local.get $py) (i32.const 4)))
        (br $s)))
      (local.set $X (i32.add (local.get $X) (local.get $ldx)))
      (local.set $Y (i32.add (local.get $Y) (local.get $ldy)))
      (local.set $M (i32.sub (local.get $M) (i32.const 1)))
      (br $rows))))`);
  // copy_rows: Y (M rows of N at stride ldy) = X (stride ldx).
  out.push(`
  (func $copy_rows (param $M i32) (param $N i32) (param $X i32) (param $ldx i32) (param $Y i32) (param $ldy i32)
    (local $o i32) (local $end i32)
    (local.set $end (i32.shl (local.get $N) (i32.const 2)))
    (block $done (loop $rows
      (br_if $done (i32.le_s (local.get $M) (i32.const 0)))
      (local.set $o (i32.const 0))
      (block $vdone (loop $v
        (br_if $vdone (i32.gt_u (i32.add (local.get $o) (i32.const 16)) (local.get $end)))
        (v128.store (i32.add (local.get $Y) (local.get $o)) (v128.load (i32.add (local.get $X) (local.get $o))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $v)))
      (block $sdone (loop $sl
        (br_if $sdone (i32.ge_u (local.get $o) (local.get $end)))
        (f32.store (i32.add (local.get $Y) (local.get $o)) (f32.load (i32.add (local.get $X) (local.get $o))))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $sl)))
      (local.set $X (i32.add (local.get $X) (local.get $ldx)))
      (local.set $Y (i32.add (local.get $Y) (local.get $ldy)))
      (local.set $M (i32.sub (local.get $M) (i32.const 1)))
      (br $rows))))`);
  // gather_rows: Y row r (N, contiguous rows) = X row idx[r]; scatter_add_rows: Y row idx[r] += X row r.
  // idx: M int32. An embedding's forward and backward, and the table projection of recurrent.ts.
  out.push(`
  (func $gather_rows (export "gather_rows") (param $M i32) (param $N i32) (param $X i32) (param $idx i32) (param $Y i32)
    (local $row i32)
    (local.set $row (i32.shl (local.get $N) (i32.const 2)))
    (block $done (loop $rows
      (br_if $done (i32.le_s (local.get $M) (i32.const 0)))
      (call $copy_rows (i32.const 1) (local.get $N) (i32.add (local.get $X) (i32.mul (i32.load (local.get $idx)) (local.get $row))) (i32.const 0) (local.get $Y) (i32.const 0))
      (local.set $idx (i32.add (local.get $idx) (i32.const 4)))
      (local.set $Y (i32.add (local.get $Y) (local.get $row)))
      (local.set $M (i32.sub (local.get $M) (i32.const 1)))
      (br $rows))))
  (func $scatter_add_rows (export "scatter_add_rows") (param $M i32) (param $N i32) (param $X i32) (param $idx i32) (param $Y i32)
    (local $row i32)
    (local.set $row (i32.shl (local.get $N) (i32.const 2)))
    (block $done (loop $rows
      (br_if $done (i32.le_s (local.get $M) (i32.const 0)))
      (call $add_rows (i32.const 1) (local.get $N) (local.get $X) (i32.const 0) (i32.add (local.get $Y) (i32.mul (i32.load (local.get $idx)) (local.get $row))) (i32.const 0))
      (local.set $idx (i32.add (local.get $idx) (i32.const 4)))
      (local.set $X (i32.add (local.get $X) (local.get $row)))
      (local.set $M (i32.sub (local.get $M) (i32.const 1)))
      (br $rows))))`);
  // sum_squares: Σ x² over n floats, accumulated in float64 (two f64x2 sums: the order differs from a
  // sequential loop at float64 rounding only).
  out.push(`
  (func $sum_squares (export "sum_squares") (param $n i32) (param $X i32) (result f64)
    (local $end i32) (local $vend i32) (local $v v128) (local $lo v128) (local $hi v128) (local $a v128) (local $b v128) (local $s f64) (local $x f64)
    (local.set $end (i32.add (local.get $X) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $vend (i32.add (local.get $X) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $vdone (loop $vl
      (br_if $vdone (i32.ge_u (local.get $X) (local.get $vend)))
      (local.set $v (v128.load (local.get $X)))
      (local.set $lo (f64x2.promote_low_f32x4 (local.get $v)))
      (local.set $hi (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
      (local.set $a (f64x2.add (local.get $a) (f64x2.mul (local.get $lo) (local.get $lo))))
      (local.set $b (f64x2.add (local.get $b) (f64x2.mul (local.get $hi) (local.get $hi))))
      (local.set $X (i32.add (local.get $X) (i32.const 16)))
      (br $vl)))
    (local.set $a (f64x2.add (local.get $a) (local.get $b)))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $a)) (f64x2.extract_lane 1 (local.get $a))))
    (block $sdone (loop $sl
      (br_if $sdone (i32.ge_u (local.get $X) (local.get $end)))
      (local.set $x (f64.promote_f32 (f32.load (local.get $X))))
      (local.set $s (f64.add (local.get $s) (f64.mul (local.get $x) (local.get $x))))
      (local.set $X (i32.add (local.get $X) (i32.const 4)))
      (br $sl)))
    (local.get $s))`);
  return out;
}
