// Generates the WebAssembly SIMD kernels (WAT text → binary with wabt) and writes them, base64, into
// kernels.generated.ts so the worker, the CLI bundle and tsc-compiled tests load them without fs.
// Two variants of the same code: fused multiply-add (relaxed SIMD) and mul+add (plain SIMD 128).
// Usage: node src/engine/wasm/generate.mjs     (re-run after editing; the output is committed)
//
// All pointers are byte addresses in the one imported shared memory; strides are in bytes.
// M, N, K as in kernels.ts: C (M,N) += alpha * op(A) (M,K) · op(B) (K,N).
// Exports: gemm (packed, every transpose; the training path), gemm_xn / gemm_nt (unpacked, for
// few rows: sampling), lstm_fwd/lstm_bwd/gru_fwd/gru_bwd (pointwise cell math), scale_rows, add_rows.
import wabtInit from 'wabt';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));

/** Blocking of the packed GEMM (floats): KC×NC of op(B) packed, MC×KC of op(A); see moduleText. */
export const KC = 256, MC = 128, NC = 1024;
/** Bytes of one thread's GEMM workspace: the edge tile, the A pack, the B pack. */
export const GEMM_WORKSPACE_BYTES = 128 + (MC * KC + KC * NC) * 4;

/** The WAT module text; fma selects relaxed_madd (one rounding) or mul then add (two). */
function moduleText(fma) {
  const madd = (a, b, c) => (fma ? `(f32x4.relaxed_madd ${a} ${b} ${c})` : `(f32x4.add (f32x4.mul ${a} ${b}) ${c})`);
  const out = [];
  out.push('(module');
  out.push('  (import "env" "memory" (memory 1 16384 shared))');

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

  // ---- gemm: the packed GEMM (GotoBLAS loop order) for every transpose combination.
  // op(A)(i,k) at A + i*ars + k*aks, op(B)(k,j) at B + k*bks + j*bns (bytes). K is cut into blocks
  // of KC, N into NC, M into MC; each block of op(B) is packed into panels of 8 columns ([k][8],
  // contiguous), each block of op(A) into panels of 4 rows ([k][4]); the 4×8 micro-kernel then
  // streams two contiguous panels. Packing transposes 4×4 blocks with shuffles when the source is
  // contiguous along k, copies vectors when it is contiguous along the panel, else goes scalar.
  // ws: per-thread workspace: [tile 4×8 f32 | A pack MC*KC f32 | B pack KC*NC f32].
  // The driver takes a column range [j0, j1) so threads can split N (see parallel.ts).
  out.push(`
  (func $pack4 (param $n i32) (param $kc i32) (param $src i32) (param $ps i32) (param $ks i32) (param $dst i32)
    (local $p i32) (local $k i32) (local $w i32) (local $valid i32) (local $row i32) (local $d i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (block $pdone (loop $panels
      (br_if $pdone (i32.ge_s (local.get $p) (local.get $n)))
      (local.set $valid (i32.sub (local.get $n) (local.get $p)))
      (local.set $k (i32.const 0))
      (if (i32.and (i32.ge_s (local.get $valid) (i32.const 4)) (i32.eq (local.get $ps) (i32.const 4))) (then
        ;; contiguous along the panel: vector copies
        (local.set $row (i32.add (local.get $src) (i32.shl (local.get $p) (i32.const 2))))
        (local.set $d (local.get $dst))
        (block $adone (loop $a
          (br_if $adone (i32.ge_s (local.get $k) (local.get $kc)))
          (v128.store offset=0 (local.get $d) (v128.load offset=0 (local.get $row)))
          (local.set $row (i32.add (local.get $row) (local.get $ks)))
          (local.set $d (i32.add (local.get $d) (i32.const 16)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $a)))))
      (if (i32.and (i32.ge_s (local.get $valid) (i32.const 4)) (i32.eq (local.get $ks) (i32.const 4))) (then
        ;; contiguous along k: 4×4 transposes
        (block $bdone (loop $b
          (br_if $bdone (i32.gt_s (i32.add (local.get $k) (i32.const 4)) (local.get $kc)))
          (local.set $row (i32.add (i32.add (local.get $src) (i32.mul (i32.add (local.get $p) (i32.const 0)) (local.get $ps))) (i32.shl (local.get $k) (i32.const 2))))
          (local.set $v0 (v128.load (local.get $row)))
          (local.set $row (i32.add (local.get $row) (local.get $ps)))
          (local.set $v1 (v128.load (local.get $row)))
          (local.set $row (i32.add (local.get $row) (local.get $ps)))
          (local.set $v2 (v128.load (local.get $row)))
          (local.set $row (i32.add (local.get $row) (local.get $ps)))
          (local.set $v3 (v128.load (local.get $row)))
          (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v0) (local.get $v1)))
          (local.set $t1 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v2) (local.get $v3)))
          (local.set $t2 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v0) (local.get $v1)))
          (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v2) (local.get $v3)))
          (local.set $d (i32.add (local.get $dst) (i32.mul (local.get $k) (i32.const 16))))
          (v128.store offset=0 (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
          (v128.store offset=16 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1)))
          (v128.store offset=32 (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t2) (local.get $t3)))
          (v128.store offset=48 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t2) (local.get $t3)))
          (local.set $k (i32.add (local.get $k) (i32.const 4)))
          (br $b)))))
      ;; whatever is left (edge panels, the k tail, general strides): scalar, zero-padding the panel
      (block $sdone (loop $s
        (br_if $sdone (i32.ge_s (local.get $k) (local.get $kc)))
        (local.set $w (i32.const 0))
        (local.set $d (i32.add (local.get $dst) (i32.mul (local.get $k) (i32.const 16))))
        (block $wdone (loop $wl
          (br_if $wdone (i32.ge_s (local.get $w) (i32.const 4)))
          (f32.store (local.get $d)
            (if (result f32) (i32.lt_s (local.get $w) (local.get $valid))
              (then (f32.load (i32.add (i32.add (local.get $src) (i32.mul (i32.add (local.get $p) (local.get $w)) (local.get $ps))) (i32.mul (local.get $k) (local.get $ks)))))
              (else (f32.const 0))))
          (local.set $d (i32.add (local.get $d) (i32.const 4)))
          (local.set $w (i32.add (local.get $w) (i32.const 1)))
          (br $wl)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $s)))
      (local.set $dst (i32.add (local.get $dst) (i32.mul (local.get $kc) (i32.const 16))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $panels))))`);
  out.push(`
  (func $pack8 (param $n i32) (param $kc i32) (param $src i32) (param $ps i32) (param $ks i32) (param $dst i32)
    (local $p i32) (local $k i32) (local $w i32) (local $valid i32) (local $row i32) (local $d i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (block $pdone (loop $panels
      (br_if $pdone (i32.ge_s (local.get $p) (local.get $n)))
      (local.set $valid (i32.sub (local.get $n) (local.get $p)))
      (local.set $k (i32.const 0))
      (if (i32.and (i32.ge_s (local.get $valid) (i32.const 8)) (i32.eq (local.get $ps) (i32.const 4))) (then
        ;; contiguous along the panel: vector copies
        (local.set $row (i32.add (local.get $src) (i32.shl (local.get $p) (i32.const 2))))
        (local.set $d (local.get $dst))
        (block $adone (loop $a
          (br_if $adone (i32.ge_s (local.get $k) (local.get $kc)))
          (v128.store offset=0 (local.get $d) (v128.load offset=0 (local.get $row)))
          (v128.store offset=16 (local.get $d) (v128.load offset=16 (local.get $row)))
          (local.set $row (i32.add (local.get $row) (local.get $ks)))
          (local.set $d (i32.add (local.get $d) (i32.const 32)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $a)))))
      (if (i32.and (i32.ge_s (local.get $valid) (i32.const 8)) (i32.eq (local.get $ks) (i32.const 4))) (then
        ;; contiguous along k: 4×4 transposes
        (block $bdone (loop $b
          (br_if $bdone (i32.gt_s (i32.add (local.get $k) (i32.const 4)) (local.get $kc)))
          (local.set $row (i32.add (i32.add (local.get $src) (i32.mul (i32.add (local.get $p) (i32.const 0)) (local.get $ps))) (i32.shl (local.get $k) (i32.const 2))))
          (local.set $v0 (v128.load (local.get $row)))
          (local.set $row (i32.add (local.get $row) (local.get $ps)))
          (local.set $v1 (v128.load (local.get $row)))
          (local.set $row (i32.add (local.get $row) (local.get $ps)))
          (local.set $v2 (v128.load (local.get $row)))
          (local.set $row (i32.add (local.get $row) (local.get $ps)))
          (local.set $v3 (v128.load (local.get $row)))
          (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v0) (local.get $v1)))
          (local.set $t1 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v2) (local.get $v3)))
          (local.set $t2 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v0) (local.get $v1)))
          (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v2) (local.get $v3)))
          (local.set $d (i32.add (local.get $dst) (i32.mul (local.get $k) (i32.const 32))))
          (v128.store offset=0 (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
          (v128.store offset=32 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1)))
          (v128.store offset=64 (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t2) (local.get $t3)))
          (v128.store offset=96 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t2) (local.get $t3)))
          (local.set $row (i32.add (i32.add (local.get $src) (i32.mul (i32.add (local.get $p) (i32.const 4)) (local.get $ps))) (i32.shl (local.get $k) (i32.const 2))))
          (local.set $v0 (v128.load (local.get $row)))
          (local.set $row (i32.add (local.get $row) (local.get $ps)))
          (local.set $v1 (v128.load (local.get $row)))
          (local.set $row (i32.add (local.get $row) (local.get $ps)))
          (local.set $v2 (v128.load (local.get $row)))
          (local.set $row (i32.add (local.get $row) (local.get $ps)))
          (local.set $v3 (v128.load (local.get $row)))
          (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v0) (local.get $v1)))
          (local.set $t1 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v2) (local.get $v3)))
          (local.set $t2 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v0) (local.get $v1)))
          (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v2) (local.get $v3)))
          (local.set $d (i32.add (local.get $dst) (i32.mul (local.get $k) (i32.const 32))))
          (v128.store offset=16 (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
          (v128.store offset=48 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1)))
          (v128.store offset=80 (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t2) (local.get $t3)))
          (v128.store offset=112 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t2) (local.get $t3)))
          (local.set $k (i32.add (local.get $k) (i32.const 4)))
          (br $b)))))
      ;; whatever is left (edge panels, the k tail, general strides): scalar, zero-padding the panel
      (block $sdone (loop $s
        (br_if $sdone (i32.ge_s (local.get $k) (local.get $kc)))
        (local.set $w (i32.const 0))
        (local.set $d (i32.add (local.get $dst) (i32.mul (local.get $k) (i32.const 32))))
        (block $wdone (loop $wl
          (br_if $wdone (i32.ge_s (local.get $w) (i32.const 8)))
          (f32.store (local.get $d)
            (if (result f32) (i32.lt_s (local.get $w) (local.get $valid))
              (then (f32.load (i32.add (i32.add (local.get $src) (i32.mul (i32.add (local.get $p) (local.get $w)) (local.get $ps))) (i32.mul (local.get $k) (local.get $ks)))))
              (else (f32.const 0))))
          (local.set $d (i32.add (local.get $d) (i32.const 4)))
          (local.set $w (i32.add (local.get $w) (i32.const 1)))
          (br $wl)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $s)))
      (local.set $dst (i32.add (local.get $dst) (i32.mul (local.get $kc) (i32.const 32))))
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (br $panels))))`);
  // The 4×8 micro-kernel on packed panels: 8 f32x4 accumulators; full tiles update C directly,
  // edge tiles go through the workspace tile and only their valid part is added.
  {
    const acc = [];
    for (let r = 0; r < 4; r++) for (let v = 0; v < 2; v++) acc.push(`$v${r}${v}`);
    const step = (o) => {
      const l = [`(local.set $b0 (v128.load offset=${o * 32} (local.get $pb)))`, `(local.set $b1 (v128.load offset=${o * 32 + 16} (local.get $pb)))`];
      for (let r = 0; r < 4; r++) {
        l.push(`(local.set $x (v128.load32_splat offset=${o * 16 + r * 4} (local.get $pa)))`);
        for (let v = 0; v < 2; v++) l.push(`(local.set $v${r}${v} ${madd('(local.get $x)', `(local.get $b${v})`, `(local.get $v${r}${v})`)})`);
      }
      return l.map((x) => '        ' + x).join('\n');
    };
    const full = [], toTile = [];
    for (let r = 0; r < 4; r++) {
      full.push(`(local.set $pc (i32.add (local.get $C) (i32.mul (i32.const ${r}) (local.get $ldc))))`);
      for (let v = 0; v < 2; v++) {
        full.push(`(v128.store offset=${v * 16} (local.get $pc) ${madd(`(local.get $v${r}${v})`, '(local.get $alpha4)', `(v128.load offset=${v * 16} (local.get $pc))`)})`);
        toTile.push(`(v128.store offset=${r * 32 + v * 16} (local.get $tile) (local.get $v${r}${v}))`);
      }
    }
    out.push(`
  (func $micro (param $kc i32) (param $pa i32) (param $pb i32) (param $C i32) (param $ldc i32) (param $alpha f32)
    (param $rows i32) (param $cols i32) (param $tile i32)
    (local $k i32) (local $x v128) (local $b0 v128) (local $b1 v128) (local $alpha4 v128) (local $pc i32) (local $r i32) (local $c i32)
    ${acc.map((a) => `(local ${a} v128)`).join(' ')}
    (local.set $k (local.get $kc))
    ;; one k per iteration: unrolling makes TurboFan hoist every load and spill accumulators
    (block $kdone (loop $kl
      (br_if $kdone (i32.eqz (local.get $k)))
${step(0)}
      (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
      (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
      (local.set $k (i32.sub (local.get $k) (i32.const 1)))
      (br $kl)))
    (local.set $alpha4 (f32x4.splat (local.get $alpha)))
    (if (i32.and (i32.eq (local.get $rows) (i32.const 4)) (i32.eq (local.get $cols) (i32.const 8))) (then
      ${full.join('\n      ')}
      (return)))
    ${toTile.join('\n    ')}
    (local.set $r (i32.const 0))
    (block $rdone (loop $rl
      (br_if $rdone (i32.ge_s (local.get $r) (local.get $rows)))
      (local.set $c (i32.const 0))
      (block $cdone (loop $cl
        (br_if $cdone (i32.ge_s (local.get $c) (local.get $cols)))
        (local.set $pc (i32.add (i32.add (local.get $C) (i32.mul (local.get $r) (local.get $ldc))) (i32.shl (local.get $c) (i32.const 2))))
        (f32.store (local.get $pc) (f32.add (f32.load (local.get $pc))
          (f32.mul (f32.load (i32.add (local.get $tile) (i32.shl (i32.add (i32.shl (local.get $r) (i32.const 3)) (local.get $c)) (i32.const 2)))) (local.get $alpha))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $cl)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))`);
  }
  out.push(`
  (func (export "gemm") (param $M i32) (param $j0 i32) (param $j1 i32) (param $K i32) (param $alpha f32)
    (param $A i32) (param $ars i32) (param $aks i32) (param $B i32) (param $bks i32) (param $bns i32)
    (param $C i32) (param $ldc i32) (param $ws i32)
    (local $pc i32) (local $kc i32) (local $jc i32) (local $nc i32) (local $ic i32) (local $mc i32)
    (local $jr i32) (local $ir i32) (local $apack i32) (local $bpack i32)
    (local.set $apack (i32.add (local.get $ws) (i32.const 128)))
    (local.set $bpack (i32.add (local.get $apack) (i32.const ${MC * KC * 4})))
    (local.set $pc (i32.const 0))
    (block $kdone (loop $kl
      (br_if $kdone (i32.ge_s (local.get $pc) (local.get $K)))
      (local.set $kc (select (i32.sub (local.get $K) (local.get $pc)) (i32.const ${KC}) (i32.lt_s (i32.sub (local.get $K) (local.get $pc)) (i32.const ${KC}))))
      (local.set $jc (local.get $j0))
      (block $jdone (loop $jl
        (br_if $jdone (i32.ge_s (local.get $jc) (local.get $j1)))
        (local.set $nc (select (i32.sub (local.get $j1) (local.get $jc)) (i32.const ${NC}) (i32.lt_s (i32.sub (local.get $j1) (local.get $jc)) (i32.const ${NC}))))
        (call $pack8 (local.get $nc) (local.get $kc)
          (i32.add (local.get $B) (i32.add (i32.mul (local.get $pc) (local.get $bks)) (i32.mul (local.get $jc) (local.get $bns))))
          (local.get $bns) (local.get $bks) (local.get $bpack))
        (local.set $ic (i32.const 0))
        (block $idone (loop $il
          (br_if $idone (i32.ge_s (local.get $ic) (local.get $M)))
          (local.set $mc (select (i32.sub (local.get $M) (local.get $ic)) (i32.const ${MC}) (i32.lt_s (i32.sub (local.get $M) (local.get $ic)) (i32.const ${MC}))))
          (call $pack4 (local.get $mc) (local.get $kc)
            (i32.add (local.get $A) (i32.add (i32.mul (local.get $ic) (local.get $ars)) (i32.mul (local.get $pc) (local.get $aks))))
            (local.get $ars) (local.get $aks) (local.get $apack))
          (local.set $jr (i32.const 0))
          (block $jrdone (loop $jrl
            (br_if $jrdone (i32.ge_s (local.get $jr) (local.get $nc)))
            (local.set $ir (i32.const 0))
            (block $irdone (loop $irl
              (br_if $irdone (i32.ge_s (local.get $ir) (local.get $mc)))
              (call $micro (local.get $kc)
                (i32.add (local.get $apack) (i32.mul (local.get $ir) (i32.shl (local.get $kc) (i32.const 2))))
                (i32.add (local.get $bpack) (i32.mul (local.get $jr) (i32.shl (local.get $kc) (i32.const 2))))
                (i32.add (local.get $C) (i32.add (i32.mul (i32.add (local.get $ic) (local.get $ir)) (local.get $ldc)) (i32.shl (i32.add (local.get $jc) (local.get $jr)) (i32.const 2))))
                (local.get $ldc) (local.get $alpha)
                (select (i32.sub (local.get $mc) (local.get $ir)) (i32.const 4) (i32.lt_s (i32.sub (local.get $mc) (local.get $ir)) (i32.const 4)))
                (select (i32.sub (local.get $nc) (local.get $jr)) (i32.const 8) (i32.lt_s (i32.sub (local.get $nc) (local.get $jr)) (i32.const 8)))
                (local.get $ws))
              (local.set $ir (i32.add (local.get $ir) (i32.const 4)))
              (br $irl)))
            (local.set $jr (i32.add (local.get $jr) (i32.const 8)))
            (br $jrl)))
          (local.set $ic (i32.add (local.get $ic) (local.get $mc)))
          (br $il)))
        (local.set $jc (i32.add (local.get $jc) (local.get $nc)))
        (br $jl)))
      (local.set $pc (i32.add (local.get $pc) (local.get $kc)))
      (br $kl))))`);

  // ---- pointwise cell math (cells/lstm.ts, cells/gru.ts), f32x4 over j, row by row over b; H % 4 == 0.
  // exp is Cephes' expf (range reduction by ln 2, degree-6 polynomial, 2^n through the exponent
  // bits), clamped to ±88 so 2^n stays finite; sigmoid = 1/(1+e^-x), tanh = 1 - 2/(e^2x + 1), as the
  // TypeScript cells. Relative error of exp ~1e-7: float32 rounding level.
  {
    const f4 = (x) => `(v128.const f32x4 ${x} ${x} ${x} ${x})`;
    const one = f4('1.0');
    // Statements leaving exp($in) in $e (temps $fx $y $z).
    const expInto = (input) => [
      `(local.set $e (f32x4.min (f32x4.max ${input} ${f4('-88.0')}) ${f4('88.0')}))`,
      `(local.set $fx (f32x4.nearest (f32x4.mul (local.get $e) ${f4('1.44269504088896341')})))`,
      `(local.set $e (f32x4.sub (f32x4.sub (local.get $e) (f32x4.mul (local.get $fx) ${f4('0.693359375')})) (f32x4.mul (local.get $fx) ${f4('-2.12194440e-4')})))`,
      `(local.set $z (f32x4.mul (local.get $e) (local.get $e)))`,
      `(local.set $y ${f4('1.9875691500e-4')})`,
      ...['1.3981999507e-3', '8.3334519073e-3', '4.1665795894e-2', '1.6666665459e-1', '5.0000001201e-1']
        .map((c) => `(local.set $y (f32x4.add (f32x4.mul (local.get $y) (local.get $e)) ${f4(c)}))`),
      `(local.set $y (f32x4.add (f32x4.add (f32x4.mul (local.get $y) (local.get $z)) (local.get $e)) ${one}))`,
      `(local.set $e (f32x4.mul (local.get $y) (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $fx)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))`,
    ];
    const sigmoidInto = (dst, x) => [...expInto(`(f32x4.neg ${x})`), `(local.set ${dst} (f32x4.div ${one} (f32x4.add ${one} (local.get $e))))`];
    const tanhInto = (dst, x) => [...expInto(`(f32x4.add ${x} ${x})`), `(local.set ${dst} (f32x4.sub ${one} (f32x4.div ${f4('2.0')} (f32x4.add (local.get $e) ${one}))))`];
    const temps = '(local $o i32) (local $e v128) (local $fx v128) (local $y v128) (local $z v128)';
    const ld = (base, block = 0) => `(v128.load (i32.add (local.get ${base}) (i32.add (local.get $o) ${block ? `(i32.mul (local.get $H4) (i32.const ${block}))` : '(i32.const 0)'})))`;
    const st = (base, block, value) => `(v128.store (i32.add (local.get ${base}) (i32.add (local.get $o) ${block ? `(i32.mul (local.get $H4) (i32.const ${block}))` : '(i32.const 0)'})) ${value})`;
    // A function looping b over B rows and o over the row's H*4 bytes; rows advance each pointer by its width (in H).
    const pointwise = (name, params, widths, locals, body) => `
  (func (export "${name}") (param $B i32) (param $H i32) ${params.map((p) => `(param ${p} i32)`).join(' ')}
    (local $H4 i32) ${temps} ${locals.map((l) => `(local ${l} v128)`).join(' ')}
    (local.set $H4 (i32.shl (local.get $H) (i32.const 2)))
    (block $bdone (loop $rows
      (br_if $bdone (i32.le_s (local.get $B) (i32.const 0)))
      (local.set $o (i32.const 0))
      (block $jdone (loop $cols
        (br_if $jdone (i32.ge_u (local.get $o) (local.get $H4)))
        ${body.join('\n        ')}
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $cols)))
      ${params.filter((p) => widths[p]).map((p) => `(local.set ${p} (i32.add (local.get ${p}) (i32.mul (local.get $H4) (i32.const ${widths[p]}))))`).join('\n      ')}
      (local.set $B (i32.sub (local.get $B) (i32.const 1)))
      (br $rows))))`;
    const g = (v) => `(local.get ${v})`;
    const mul = (a, b) => `(f32x4.mul ${a} ${b})`, add = (a, b) => `(f32x4.add ${a} ${b})`, sub = (a, b) => `(f32x4.sub ${a} ${b})`;
    const oneMinus = (a) => sub(one, a);

    // LSTM forward, no peepholes: gates (B,4H) pre-activations → i, o, f, c̃; c, tanhC, h (B,H).
    out.push(pointwise('lstm_fwd', ['$gates', '$cPrev', '$c', '$tanhC', '$h'], { $gates: 4, $cPrev: 1, $c: 1, $tanhC: 1, $h: 1 },
      ['$i', '$og', '$f', '$cc', '$cn', '$tc'], [
        ...sigmoidInto('$i', ld('$gates', 0)), ...sigmoidInto('$og', ld('$gates', 1)), ...sigmoidInto('$f', ld('$gates', 2)),
        ...tanhInto('$cc', ld('$gates', 3)),
        `(local.set $cn ${add(mul(g('$f'), ld('$cPrev')), mul(g('$i'), g('$cc')))})`,
        ...tanhInto('$tc', g('$cn')),
        st('$gates', 0, g('$i')), st('$gates', 1, g('$og')), st('$gates', 2, g('$f')), st('$gates', 3, g('$cc')),
        st('$c', 0, g('$cn')), st('$tanhC', 0, g('$tc')), st('$h', 0, mul(g('$og'), g('$tc'))),
      ]));
    // LSTM backward, no peepholes: dGates (B,4H) overwritten; dcPrev (B,H) +=.
    out.push(pointwise('lstm_bwd', ['$dGates', '$dcPrev', '$dh', '$dc', '$gates', '$tanhC', '$cPrev'],
      { $dGates: 4, $dcPrev: 1, $dh: 1, $dc: 1, $gates: 4, $tanhC: 1, $cPrev: 1 },
      ['$i', '$og', '$f', '$cc', '$tc', '$dhv', '$dct'], [
        `(local.set $i ${ld('$gates', 0)})`, `(local.set $og ${ld('$gates', 1)})`, `(local.set $f ${ld('$gates', 2)})`, `(local.set $cc ${ld('$gates', 3)})`,
        `(local.set $tc ${ld('$tanhC')})`, `(local.set $dhv ${ld('$dh')})`,
        `(local.set $dct ${add(ld('$dc'), mul(mul(g('$dhv'), g('$og')), oneMinus(mul(g('$tc'), g('$tc')))))})`,
        st('$dGates', 0, mul(mul(mul(g('$dct'), g('$cc')), g('$i')), oneMinus(g('$i')))),
        st('$dGates', 1, mul(mul(mul(g('$dhv'), g('$tc')), g('$og')), oneMinus(g('$og')))),
        st('$dGates', 2, mul(mul(mul(g('$dct'), ld('$cPrev')), g('$f')), oneMinus(g('$f')))),
        st('$dGates', 3, mul(mul(g('$dct'), g('$i')), oneMinus(mul(g('$cc'), g('$cc'))))),
        st('$dcPrev', 0, add(ld('$dcPrev'), mul(g('$dct'), g('$f')))),
      ]));
    // GRU forward, resetAfter: gates (B,3H) input part → z, r, ĥ; recur (B,3H) = hPrev·Rᵀ; Rbh (H) the
    // h block of Rb; extra (B,H) ← hPrev·Rhᵀ + Rbh; h (B,H).
    out.push(pointwise('gru_fwd', ['$gates', '$recur', '$Rbh', '$extra', '$h', '$hPrev'],
      { $gates: 3, $recur: 3, $extra: 1, $h: 1, $hPrev: 1 },
      ['$zg', '$r', '$hr', '$hh', '$hp'], [
        ...sigmoidInto('$zg', add(ld('$gates', 0), ld('$recur', 0))),
        ...sigmoidInto('$r', add(ld('$gates', 1), ld('$recur', 1))),
        `(local.set $hr ${add(ld('$recur', 2), ld('$Rbh'))})`,
        ...tanhInto('$hh', add(ld('$gates', 2), mul(g('$r'), g('$hr')))),
        `(local.set $hp ${ld('$hPrev')})`,
        st('$gates', 0, g('$zg')), st('$gates', 1, g('$r')), st('$gates', 2, g('$hh')), st('$extra', 0, g('$hr')),
        st('$h', 0, add(mul(oneMinus(g('$zg')), g('$hh')), mul(g('$zg'), g('$hp')))),
      ]));
    // GRU backward, resetAfter: dGates, dRecur (B,3H) overwritten; dhPrev (B,H) +=.
    out.push(pointwise('gru_bwd', ['$dGates', '$dRecur', '$dhPrev', '$dh', '$gates', '$extra', '$hPrev'],
      { $dGates: 3, $dRecur: 3, $dhPrev: 1, $dh: 1, $gates: 3, $extra: 1, $hPrev: 1 },
      ['$zg', '$r', '$hh', '$dhv', '$dph', '$dpz', '$dpr'], [
        `(local.set $zg ${ld('$gates', 0)})`, `(local.set $r ${ld('$gates', 1)})`, `(local.set $hh ${ld('$gates', 2)})`, `(local.set $dhv ${ld('$dh')})`,
        `(local.set $dph ${mul(mul(g('$dhv'), oneMinus(g('$zg'))), oneMinus(mul(g('$hh'), g('$hh'))))})`,
        `(local.set $dpz ${mul(mul(mul(g('$dhv'), sub(ld('$hPrev'), g('$hh'))), g('$zg')), oneMinus(g('$zg')))})`,
        `(local.set $dpr ${mul(mul(mul(g('$dph'), ld('$extra')), g('$r')), oneMinus(g('$r')))})`,
        st('$dGates', 0, g('$dpz')), st('$dRecur', 0, g('$dpz')),
        st('$dGates', 1, g('$dpr')), st('$dRecur', 1, g('$dpr')),
        st('$dGates', 2, g('$dph')), st('$dRecur', 2, mul(g('$dph'), g('$r'))),
        st('$dhPrev', 0, add(ld('$dhPrev'), mul(g('$dhv'), g('$zg')))),
      ]));
  }
  // ---- element-wise helpers of kernels.ts (C: M rows of N at stride ldc, bytes).
  // scale_rows: C *= beta (beta = 0 writes zeros, so NaNs in C do not survive).
  out.push(`
  (func (export "scale_rows") (param $M i32) (param $N i32) (param $beta f32) (param $C i32) (param $ldc i32)
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
  (func (export "add_rows") (param $M i32) (param $N i32) (param $X i32) (param $ldx i32) (param $Y i32) (param $ldy i32)
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
  out.push(')');
  return out.join('\n');
}

const wabt = await wabtInit();
const features = { simd: true, threads: true, relaxed_simd: true, multi_value: true, bulk_memory: true };
const assemble = (name, text) => {
  const mod = wabt.parseWat(`${name}.wat`, text, features);
  mod.validate(features);
  const { buffer } = mod.toBinary({});
  mod.destroy();
  return Buffer.from(buffer).toString('base64');
};
const fma = assemble('kernels-fma', moduleText(true));
const plain = assemble('kernels', moduleText(false));
writeFileSync(join(here, 'kernels.generated.wat'), moduleText(false) + '\n');
writeFileSync(join(here, 'kernels.generated.ts'), `// Generated by src/engine/wasm/generate.mjs from its WAT text (kernels.generated.wat is the plain
// variant, for reading). Do not edit; re-run the generator.
/** Relaxed-SIMD variant: f32x4.relaxed_madd (fused multiply-add where the CPU has it). */
export const kernelsFmaWasmBase64 =
  '${fma}';
/** Plain SIMD-128 variant: f32x4.mul then f32x4.add. */
export const kernelsWasmBase64 =
  '${plain}';
/** Bytes of one thread's GEMM workspace (edge tile, A pack MC×KC, B pack KC×NC; KC=${KC} MC=${MC} NC=${NC}). */
export const GEMM_WORKSPACE_BYTES = ${GEMM_WORKSPACE_BYTES};
`);
console.log(`wrote kernels.generated.ts (fma ${fma.length} b64 chars, plain ${plain.length})`);
