// Piece "gemm-small" of the kernel module: the unpacked GEMMs for few rows of C (sampling is M = 1),
// where packing op(B) would cost as much as the product itself.
//   gemm_xn  B stored (K,N); op(A) through a row stride and a k stride (A or Aᵀ)
//   gemm_nt  A (M,K) and B (N,K), both contiguous along K: dot products
//   gemv_nt  the same for M < 4, eight rows of B at a time
// M, N, K as in src/engine/kernels.ts: C (M,N) += alpha * op(A) (M,K) · op(B) (K,N); pointers and
// strides in bytes.

export const exports = ['gemm_xn', 'gemm_nt', 'gemv_nt'];

/** The piece's WAT functions; madd(a, b, c) is a*b + c in the module's variant (fused or not). */
export function wat({ madd }) {
  const out = [];
  // ---- gemm_xn: B stored (K,N) row-major; A read through a row stride and a k stride, so one body
  // serves op(A) = A (rs = lda*4, ks = 4) and op(A) = Aᵀ (rs = 4, ks = lda*4). Register tile 4×8
  // (8 f32x4 accumulators), then 4×4, 4×1, and single-row tiles for the edges.
  // A tile of R rows × W columns (W = 8 | 4 | 1) at (i, j).
  const tileXn = (R, W) => {
    const vec = W >= 4, nv = W / 4;
    const lines = [];
    for (let r = 0; r < R; r++) lines.push(`(local.set $pa${r} (i32.add $A (i32.mul (i32.add (local.get $i) (i32.const ${r})) (local.get $rs))))`.replace('$A', '(local.get $A)'));
    lines.push('(local.set $pb (i32.add (local.get $B) (i32.shl (local.get $j) (i32.const 2))))');
    for (let r = 0; r < R; r++) for (let v = 0; v < (vec ? nv : 1); v++)
      lines.push(vec ? `(local.set $v${r}${v} (v128.const i32x4 0 0 0 0))` : `(local.set $s${r} (f32.const 0))`);
    lines.push('(local.set $k (local.get $K))');
    lines.push('(block $kdone (loop $kloop');
    lines.push('  (br_if $kdone (i32.eqz (local.get $k)))');
    if (vec) for (let v = 0; v < nv; v++) lines.push(`  (local.set $b${v} (v128.load offset=${v * 16} (local.get $pb)))`);
    else lines.push('  (local.set $bs (f32.load (local.get $pb)))');
    for (let r = 0; r < R; r++) {
      if (vec) {
        lines.push(`  (local.set $x (v128.load32_splat (local.get $pa${r})))`);
        for (let v = 0; v < nv; v++) lines.push(`  (local.set $v${r}${v} ${madd('(local.get $x)', `(local.get $b${v})`, `(local.get $v${r}${v})`)})`);
      } else {
        lines.push(`  (local.set $s${r} (f32.add (local.get $s${r}) (f32.mul (f32.load (local.get $pa${r})) (local.get $bs))))`);
      }
      lines.push(`  (local.set $pa${r} (i32.add (local.get $pa${r}) (local.get $ks)))`);
    }
    lines.push('  (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))');
    lines.push('  (local.set $k (i32.sub (local.get $k) (i32.const 1)))');
    lines.push('  (br $kloop)))');
    for (let r = 0; r < R; r++) {
      lines.push(`(local.set $pc (i32.add (i32.add (local.get $C) (i32.mul (i32.add (local.get $i) (i32.const ${r})) (local.get $ldc))) (i32.shl (local.get $j) (i32.const 2))))`);
      if (vec) for (let v = 0; v < nv; v++)
        lines.push(`(v128.store offset=${v * 16} (local.get $pc) ${madd(`(local.get $v${r}${v})`, '(local.get $alpha4)', `(v128.load offset=${v * 16} (local.get $pc))`)})`);
      else lines.push(`(f32.store (local.get $pc) (f32.add (f32.load (local.get $pc)) (f32.mul (local.get $s${r}) (local.get $alpha))))`);
    }
    lines.push(`(local.set $j (i32.add (local.get $j) (i32.const ${W})))`);
    return lines.map((l) => '        ' + l).join('\n');
  };
  // The columns of one block of R rows: 8-wide tiles, then at most one 4-wide, then single columns.
  const rowBlockXn = (R) => `
      (local.set $j (i32.const 0))
      (block $w8done (loop $w8
        (br_if $w8done (i32.gt_s (i32.add (local.get $j) (i32.const 8)) (local.get $N)))
${tileXn(R, 8)}
        (br $w8)))
      (if (i32.le_s (i32.add (local.get $j) (i32.const 4)) (local.get $N)) (then
${tileXn(R, 4)}
      ))
      (block $w1done (loop $w1
        (br_if $w1done (i32.ge_s (local.get $j) (local.get $N)))
${tileXn(R, 1)}
        (br $w1)))
      (local.set $i (i32.add (local.get $i) (i32.const ${R})))`;
  out.push(`
  (func (export "gemm_xn")
    (param $M i32) (param $N i32) (param $K i32) (param $alpha f32)
    (param $A i32) (param $rs i32) (param $ks i32) (param $B i32) (param $ldb i32) (param $C i32) (param $ldc i32)
    (local $i i32) (local $j i32) (local $k i32) (local $pb i32) (local $pc i32)
    (local $pa0 i32) (local $pa1 i32) (local $pa2 i32) (local $pa3 i32)
    (local $alpha4 v128) (local $x v128) (local $b0 v128) (local $b1 v128) (local $bs f32)
    (local $v00 v128) (local $v01 v128) (local $v10 v128) (local $v11 v128)
    (local $v20 v128) (local $v21 v128) (local $v30 v128) (local $v31 v128)
    (local $s0 f32) (local $s1 f32) (local $s2 f32) (local $s3 f32)
    (local.set $alpha4 (f32x4.splat (local.get $alpha)))
    (local.set $i (i32.const 0))
    (block $r4done (loop $r4
      (br_if $r4done (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $M)))
${rowBlockXn(4)}
      (br $r4)))
    (block $r1done (loop $r1
      (br_if $r1done (i32.ge_s (local.get $i) (local.get $M)))
${rowBlockXn(1)}
      (br $r1))))`);

  // ---- gemm_nt: A (M,K) and B (N,K), both contiguous along K: C[i,j] += alpha * A[i,:]·B[j,:].
  // Register tile 4 rows of A × 2 rows of B, 8 f32x4 partial dot products summed across lanes at the
  // end; the K % 4 tail goes through the same accumulators with load32_zero (lanes 1..3 zero).
  // Outer loop over pairs of B rows so they stay in L1 while all of A streams past them.
  const tileNt = (R, S) => {
    const lines = [];
    for (let r = 0; r < R; r++) lines.push(`(local.set $pa${r} (i32.add (local.get $A) (i32.mul (i32.add (local.get $i) (i32.const ${r})) (local.get $lda))))`);
    for (let s = 0; s < S; s++) lines.push(`(local.set $pb${s} (i32.add (local.get $B) (i32.mul (i32.add (local.get $j) (i32.const ${s})) (local.get $ldb))))`);
    for (let r = 0; r < R; r++) for (let s = 0; s < S; s++) lines.push(`(local.set $v${r}${s} (v128.const i32x4 0 0 0 0))`);
    const body = (load, step) => {
      const l = [];
      for (let s = 0; s < S; s++) l.push(`  (local.set $b${s} (${load} (local.get $pb${s})))`);
      for (let r = 0; r < R; r++) {
        l.push(`  (local.set $x (${load} (local.get $pa${r})))`);
        for (let s = 0; s < S; s++) l.push(`  (local.set $v${r}${s} ${madd('(local.get $x)', `(local.get $b${s})`, `(local.get $v${r}${s})`)})`);
        l.push(`  (local.set $pa${r} (i32.add (local.get $pa${r}) (i32.const ${step})))`);
      }
      for (let s = 0; s < S; s++) l.push(`  (local.set $pb${s} (i32.add (local.get $pb${s}) (i32.const ${step})))`);
      return l;
    };
    lines.push('(local.set $k (local.get $K4))');
    lines.push('(block $kdone (loop $kloop');
    lines.push('  (br_if $kdone (i32.eqz (local.get $k)))');
    lines.push(...body('v128.load', 16));
    lines.push('  (local.set $k (i32.sub (local.get $k) (i32.const 1)))');
    lines.push('  (br $kloop)))');
    lines.push('(local.set $k (local.get $Kt))');
    lines.push('(block $tdone (loop $tloop');
    lines.push('  (br_if $tdone (i32.eqz (local.get $k)))');
    lines.push(...body('v128.load32_zero', 4));
    lines.push('  (local.set $k (i32.sub (local.get $k) (i32.const 1)))');
    lines.push('  (br $tloop)))');
    const hsum = (v) => `(f32.add (f32.add (f32x4.extract_lane 0 (local.get ${v})) (f32x4.extract_lane 1 (local.get ${v}))) (f32.add (f32x4.extract_lane 2 (local.get ${v})) (f32x4.extract_lane 3 (local.get ${v}))))`;
    for (let r = 0; r < R; r++) for (let s = 0; s < S; s++) {
      lines.push(`(local.set $pc (i32.add (i32.add (local.get $C) (i32.mul (i32.add (local.get $i) (i32.const ${r})) (local.get $ldc))) (i32.shl (i32.add (local.get $j) (i32.const ${s})) (i32.const 2))))`);
      lines.push(`(f32.store (local.get $pc) (f32.add (f32.load (local.get $pc)) (f32.mul ${hsum(`$v${r}${s}`)} (local.get $alpha))))`);
    }
    lines.push(`(local.set $i (i32.add (local.get $i) (i32.const ${R})))`);
    return lines.map((l) => '          ' + l).join('\n');
  };
  const colBlockNt = (S) => `
      (local.set $i (i32.const 0))
      (block $r4done (loop $r4
        (br_if $r4done (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $M)))
${tileNt(4, S)}
        (br $r4)))
      (block $r1done (loop $r1
        (br_if $r1done (i32.ge_s (local.get $i) (local.get $M)))
${tileNt(1, S)}
        (br $r1)))
      (local.set $j (i32.add (local.get $j) (i32.const ${S})))`;
  out.push(`
  (func (export "gemm_nt")
    (param $M i32) (param $N i32) (param $K i32) (param $alpha f32)
    (param $A i32) (param $lda i32) (param $B i32) (param $ldb i32) (param $C i32) (param $ldc i32)
    (local $i i32) (local $j i32) (local $k i32) (local $K4 i32) (local $Kt i32) (local $pc i32)
    (local $pa0 i32) (local $pa1 i32) (local $pa2 i32) (local $pa3 i32) (local $pb0 i32) (local $pb1 i32)
    (local $x v128) (local $b0 v128) (local $b1 v128)
    (local $v00 v128) (local $v01 v128) (local $v10 v128) (local $v11 v128)
    (local $v20 v128) (local $v21 v128) (local $v30 v128) (local $v31 v128)
    (local.set $K4 (i32.shr_u (local.get $K) (i32.const 2)))
    (local.set $Kt (i32.and (local.get $K) (i32.const 3)))
    (local.set $j (i32.const 0))
    (block $s2done (loop $s2
      (br_if $s2done (i32.gt_s (i32.add (local.get $j) (i32.const 2)) (local.get $N)))
${colBlockNt(2)}
      (br $s2)))
    (if (i32.lt_s (local.get $j) (local.get $N)) (then
${colBlockNt(1)}
    )))`);

  // ---- gemv_nt: gemm_nt for one to three rows of A (sampling: M = 1): each row of A against 8 rows
  // of B at a time (8 independent accumulators hide the FMA latency, one A load feeds 8 FMAs), then
  // 4, then single rows.
  const rowsNt1 = (S) => `
      (local.set $i (i32.const 0))
      (block $r1done (loop $r1
        (br_if $r1done (i32.ge_s (local.get $i) (local.get $M)))
${tileNt(1, S)}
        (br $r1)))
      (local.set $j (i32.add (local.get $j) (i32.const ${S})))`;
  const eight = [0, 1, 2, 3, 4, 5, 6, 7];
  out.push(`
  (func (export "gemv_nt")
    (param $M i32) (param $N i32) (param $K i32) (param $alpha f32)
    (param $A i32) (param $lda i32) (param $B i32) (param $ldb i32) (param $C i32) (param $ldc i32)
    (local $i i32) (local $j i32) (local $k i32) (local $K4 i32) (local $Kt i32) (local $pc i32) (local $pa0 i32) (local $x v128)
    ${eight.map((s) => `(local $pb${s} i32) (local $b${s} v128) (local $v0${s} v128)`).join(' ')}
    (local.set $K4 (i32.shr_u (local.get $K) (i32.const 2)))
    (local.set $Kt (i32.and (local.get $K) (i32.const 3)))
    (local.set $j (i32.const 0))
    (block $s8done (loop $s8
      (br_if $s8done (i32.gt_s (i32.add (local.get $j) (i32.const 8)) (local.get $N)))
${rowsNt1(8)}
      (br $s8)))
    (if (i32.le_s (i32.add (local.get $j) (i32.const 4)) (local.get $N)) (then
${rowsNt1(4)}
    ))
    (block $s1done (loop $s1
      (br_if $s1done (i32.ge_s (local.get $j) (local.get $N)))
${rowsNt1(1)}
      (br $s1))))`);

  return out;
}
