// Piece "gemv-packed" of the kernel module: batch-1 stepping (sampling) on weights packed once per
// sequence (src/engine/wasm/stepper.ts packs them). gemv_nt reads 8 rows of W through 8 pointers;
// here the 8 rows are interleaved in one panel, so one pointer walks it with constant offsets and
// each 4-wide chunk of x feeds 8 fused multiply-adds for 9 loads and no other address arithmetic.
//
// Packed W (N, K): row blocks of 8 (N8 = ceil(N/8)*8 rows, the padding rows zero), each a panel of
// K4/4 chunks (K4 = ceil(K/4)*4, the padding columns zero) of 8 rows × 4 columns, row-major in the
// chunk: panel b, chunk c, row r, column q at ((b*K4/4 + c)*8 + r)*4 + q floats.

export const exports = ['gemv_p8', 'gemv_p8x2'];

/** f32 lanes to i8x16.shuffle's byte indices (lanes 4..7 are the second operand's). */
const lanes = (...ls) => ls.flatMap((l) => [0, 1, 2, 3].map((b) => 4 * l + b)).join(' ');

export function wat({ madd }) {
  const r8 = [0, 1, 2, 3, 4, 5, 6, 7];
  const chunk = (off) => [
    `(local.set $x (v128.load offset=${off * 16} (local.get $px)))`,
    ...r8.map((r) => `(local.set $v${r} ${madd('(local.get $x)', `(v128.load offset=${off * 128 + r * 16} (local.get $pw))`, `(local.get $v${r})`)})`),
  ].map((l) => `          ${l}`).join('\n');
  // Accumulators v[a..a+3] (rows a..a+3, four partial sums each) to p[a], p[a+2] (pairs of rows
  // half-summed), then to s: the four rows' sums. A row's lanes are summed (0+2) + (1+3).
  const half = (v, w) => `(f32x4.add (i8x16.shuffle ${lanes(0, 1, 4, 5)} (local.get $v${v}) (local.get $v${w})) (i8x16.shuffle ${lanes(2, 3, 6, 7)} (local.get $v${v}) (local.get $v${w})))`;
  const store = (a) => `
        (local.set $p${a} ${half(a, a + 1)})
        (local.set $p${a + 2} ${half(a + 2, a + 3)})
        (local.set $s (f32x4.add (i8x16.shuffle ${lanes(0, 2, 4, 6)} (local.get $p${a}) (local.get $p${a + 2})) (i8x16.shuffle ${lanes(1, 3, 5, 7)} (local.get $p${a}) (local.get $p${a + 2}))))
        (if (local.get $bias) (then (local.set $s (f32x4.add (local.get $s) (v128.load offset=${a * 4} (local.get $pb))))))
        (if (local.get $acc) (then (local.set $s (f32x4.add (local.get $s) (v128.load offset=${a * 4} (local.get $py))))))
        (v128.store offset=${a * 4} (local.get $py) (local.get $s))`;
  // gemv_p8: y[n0..n1) = (acc ? y : 0) + (bias ? bias : 0) + W·x over the packed W; n0, n1 multiples
  // of 8 (a thread's share of the row blocks), x K4 floats, y and bias N8.
  return [`
  (func $gemv_p8 (export "gemv_p8") (param $n0 i32) (param $n1 i32) (param $K i32) (param $X i32) (param $W i32) (param $Y i32) (param $bias i32) (param $acc i32)
    (local $n i32) (local $c i32) (local $chunks i32) (local $px i32) (local $pw i32) (local $py i32) (local $pb i32) (local $x v128) (local $s v128)
    ${r8.map((r) => `(local $v${r} v128)`).join(' ')} (local $p0 v128) (local $p2 v128) (local $p4 v128) (local $p6 v128)
    (local.set $chunks (i32.shr_u (i32.add (local.get $K) (i32.const 3)) (i32.const 2)))
    (local.set $n (local.get $n0))
    (block $ndone (loop $rows
      (br_if $ndone (i32.ge_s (local.get $n) (local.get $n1)))
      ${r8.map((r) => `(local.set $v${r} (v128.const i32x4 0 0 0 0))`).join(' ')}
      (local.set $px (local.get $X))
      (local.set $pw (i32.add (local.get $W) (i32.mul (local.get $n) (i32.shl (local.get $chunks) (i32.const 4)))))
      (local.set $c (local.get $chunks))
      (block $pdone (loop $pairs
        (br_if $pdone (i32.lt_s (local.get $c) (i32.const 2)))
${chunk(0)}
${chunk(1)}
        (local.set $px (i32.add (local.get $px) (i32.const 32)))
        (local.set $pw (i32.add (local.get $pw) (i32.const 256)))
        (local.set $c (i32.sub (local.get $c) (i32.const 2)))
        (br $pairs)))
      (if (local.get $c) (then
${chunk(0)}
      ))
      (local.set $py (i32.add (local.get $Y) (i32.shl (local.get $n) (i32.const 2))))
      (local.set $pb (i32.add (local.get $bias) (i32.shl (local.get $n) (i32.const 2))))${store(0)}${store(4)}
      (local.set $n (i32.add (local.get $n) (i32.const 8)))
      (br $rows))))`,
  // gemv_p8x2: two products over the same row range (a layer's W·x and R·h: one hand-off to the
  // second thread for both).
  `
  (func (export "gemv_p8x2") (param $n0 i32) (param $n1 i32)
    (param $K1 i32) (param $X1 i32) (param $W1 i32) (param $Y1 i32) (param $bias1 i32) (param $acc1 i32)
    (param $K2 i32) (param $X2 i32) (param $W2 i32) (param $Y2 i32) (param $bias2 i32) (param $acc2 i32)
    (call $gemv_p8 (local.get $n0) (local.get $n1) (local.get $K1) (local.get $X1) (local.get $W1) (local.get $Y1) (local.get $bias1) (local.get $acc1))
    (call $gemv_p8 (local.get $n0) (local.get $n1) (local.get $K2) (local.get $X2) (local.get $W2) (local.get $Y2) (local.get $bias2) (local.get $acc2)))`];
}
