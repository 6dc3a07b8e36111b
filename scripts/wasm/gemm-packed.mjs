// Piece "gemm-packed" of the kernel module: the packed GEMM of the training path, every transpose
// combination, over a column range so two threads can split N (src/engine/wasm/parallel.ts).
// M, N, K as in src/engine/kernels.ts: C (M,N) += alpha * op(A) (M,K) · op(B) (K,N); pointers and
// strides in bytes.

export const exports = ['gemm', 'pack_b', 'gemm_pb'];

/** Blocking of the packed GEMM (floats): KC×NC of op(B) packed, MC×KC of op(A). */
export const KC = 256, MC = 128, NC = 1024;
/** Bytes of one thread's GEMM workspace: the edge tile, the A pack, the B pack. */
export const GEMM_WORKSPACE_BYTES = 128 + (MC * KC + KC * NC) * 4;

/** Constants kernels.generated.ts exports beside the module. */
export const constants = {
  GEMM_WORKSPACE_BYTES: { value: GEMM_WORKSPACE_BYTES, doc: `Bytes of one thread's GEMM workspace (edge tile, A pack MC×KC, B pack KC×NC; KC=${KC} MC=${MC} NC=${NC}).` },
};

/** The piece's WAT functions; madd(a, b, c) is a*b + c in the module's variant (fused or not). */
export function wat({ madd }) {
  const out = [];
  // ---- gemm: the packed GEMM (GotoBLAS loop order) for every transpose combination.
  // op(A)(i,k) at A + i*ars + k*aks, op(B)(k,j) at B + k*bks + j*bns (bytes). K is cut into blocks
  // of KC, N into NC, M into MC; each block of op(B) is packed into panels of 8 columns ([k][8],
  // contiguous), each block of op(A) into panels of 4 rows ([k][4]); the 4×8 micro-kernel then
  // streams two contiguous panels. Packing transposes 4×4 blocks with shuffles when the source is
  // contiguous along k, copies vectors when it is contiguous along the panel, else goes scalar.
  // ws: per-thread workspace: [tile 4×8 f32 | A pack MC*KC f32 | B pack KC*NC f32].
  // The driver takes a column range [j0, j1) so threads can split N (see parallel.ts); init and
  // bias as in the micro-kernel (bias: the row vector of C's column 0, or 0).
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
  // edge tiles go through the workspace tile and only their valid part is added. init: C = alpha·acc
  // (+ the row vector at bias, when not 0) instead of C += alpha·acc: a GEMM with beta = 0 (and a
  // bias) writes its first K block without a pass that zeroes C first (and one that adds the bias).
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
    const full = [], fullInit = [], toTile = [];
    for (let r = 0; r < 4; r++) {
      full.push(`(local.set $pc (i32.add (local.get $C) (i32.mul (i32.const ${r}) (local.get $ldc))))`);
      fullInit.push(`(local.set $pc (i32.add (local.get $C) (i32.mul (i32.const ${r}) (local.get $ldc))))`);
      for (let v = 0; v < 2; v++) {
        full.push(`(v128.store offset=${v * 16} (local.get $pc) ${madd(`(local.get $v${r}${v})`, '(local.get $alpha4)', `(v128.load offset=${v * 16} (local.get $pc))`)})`);
        fullInit.push(`(v128.store offset=${v * 16} (local.get $pc) ${madd(`(local.get $v${r}${v})`, '(local.get $alpha4)', `(local.get $bb${v})`)})`);
        toTile.push(`(v128.store offset=${r * 32 + v * 16} (local.get $tile) (local.get $v${r}${v}))`);
      }
    }
    out.push(`
  (func $micro (param $kc i32) (param $pa i32) (param $pb i32) (param $C i32) (param $ldc i32) (param $alpha f32)
    (param $rows i32) (param $cols i32) (param $tile i32) (param $init i32) (param $bias i32)
    (local $k i32) (local $x v128) (local $b0 v128) (local $b1 v128) (local $alpha4 v128) (local $pc i32) (local $r i32) (local $c i32)
    (local $bb0 v128) (local $bb1 v128)
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
      (if (local.get $init) (then
        (if (local.get $bias) (then
          (local.set $bb0 (v128.load offset=0 (local.get $bias)))
          (local.set $bb1 (v128.load offset=16 (local.get $bias)))))
        ${fullInit.join('\n        ')}
        (return)))
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
        (f32.store (local.get $pc) (f32.add
          (if (result f32) (local.get $init)
            (then (if (result f32) (local.get $bias) (then (f32.load (i32.add (local.get $bias) (i32.shl (local.get $c) (i32.const 2))))) (else (f32.const 0))))
            (else (f32.load (local.get $pc))))
          (f32.mul (f32.load (i32.add (local.get $tile) (i32.shl (i32.add (i32.shl (local.get $r) (i32.const 3)) (local.get $c)) (i32.const 2)))) (local.get $alpha))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $cl)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))`);
  }
  out.push(`
  (func $gemm (export "gemm") (param $M i32) (param $j0 i32) (param $j1 i32) (param $K i32) (param $alpha f32)
    (param $A i32) (param $ars i32) (param $aks i32) (param $B i32) (param $bks i32) (param $bns i32)
    (param $C i32) (param $ldc i32) (param $ws i32) (param $init i32) (param $bias i32)
    (local $pc i32) (local $kc i32) (local $jc i32) (local $nc i32) (local $ic i32) (local $mc i32)
    (local $jr i32) (local $ir i32) (local $apack i32) (local $bpack i32) (local $first i32)
    (local.set $apack (i32.add (local.get $ws) (i32.const 128)))
    (local.set $bpack (i32.add (local.get $apack) (i32.const ${MC * KC * 4})))
    (local.set $pc (i32.const 0))
    (block $kdone (loop $kl
      (br_if $kdone (i32.ge_s (local.get $pc) (local.get $K)))
      (local.set $kc (select (i32.sub (local.get $K) (local.get $pc)) (i32.const ${KC}) (i32.lt_s (i32.sub (local.get $K) (local.get $pc)) (i32.const ${KC}))))
      (local.set $first (i32.and (local.get $init) (i32.eqz (local.get $pc))))
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
                (local.get $ws) (local.get $first)
                (select (i32.add (local.get $bias) (i32.shl (i32.add (local.get $jc) (local.get $jr)) (i32.const 2))) (i32.const 0) (i32.and (local.get $first) (i32.ne (local.get $bias) (i32.const 0)))))
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

  // pack_b: all of op(B) (K,N) into panels of 8 columns over the whole K ([K][8] each, zero-padded
  // past N; ceil(N/8)*8*K floats at dst), so a matrix used by many GEMMs (a layer's R over the T
  // steps of a window) is packed once. gemm_pb is the packed GEMM on such a B: C (M,N) += alpha *
  // op(A) · B (init: C = alpha · op(A) · B), op(A)(i,k) at A + i*ars + k*aks, A packed block by
  // block into ws as in gemm.
  out.push(`
  (func $pack_b (export "pack_b") (param $N i32) (param $K i32) (param $B i32) (param $bks i32) (param $bns i32) (param $dst i32)
    (call $pack8 (local.get $N) (local.get $K) (local.get $B) (local.get $bns) (local.get $bks) (local.get $dst)))
  (func $gemm_pb (export "gemm_pb") (param $M i32) (param $N i32) (param $K i32) (param $alpha f32)
    (param $A i32) (param $ars i32) (param $aks i32) (param $Bp i32) (param $C i32) (param $ldc i32) (param $ws i32) (param $init i32)
    (local $pc i32) (local $kc i32) (local $ic i32) (local $mc i32) (local $jr i32) (local $ir i32) (local $apack i32) (local $pb i32)
    (local.set $apack (i32.add (local.get $ws) (i32.const 128)))
    (local.set $pc (i32.const 0))
    (block $kdone (loop $kl
      (br_if $kdone (i32.ge_s (local.get $pc) (local.get $K)))
      (local.set $kc (select (i32.sub (local.get $K) (local.get $pc)) (i32.const ${KC}) (i32.lt_s (i32.sub (local.get $K) (local.get $pc)) (i32.const ${KC}))))
      (local.set $ic (i32.const 0))
      (block $idone (loop $il
        (br_if $idone (i32.ge_s (local.get $ic) (local.get $M)))
        (local.set $mc (select (i32.sub (local.get $M) (local.get $ic)) (i32.const ${MC}) (i32.lt_s (i32.sub (local.get $M) (local.get $ic)) (i32.const ${MC}))))
        (call $pack4 (local.get $mc) (local.get $kc)
          (i32.add (local.get $A) (i32.add (i32.mul (local.get $ic) (local.get $ars)) (i32.mul (local.get $pc) (local.get $aks))))
          (local.get $ars) (local.get $aks) (local.get $apack))
        (local.set $jr (i32.const 0))
        (block $jrdone (loop $jrl
          (br_if $jrdone (i32.ge_s (local.get $jr) (local.get $N)))
          ;; panel jr/8 starts at Bp + jr*K*4 bytes; this K block at pc*32 bytes into it
          (local.set $pb (i32.add (i32.add (local.get $Bp) (i32.shl (i32.mul (local.get $jr) (local.get $K)) (i32.const 2))) (i32.shl (local.get $pc) (i32.const 5))))
          (local.set $ir (i32.const 0))
          (block $irdone (loop $irl
            (br_if $irdone (i32.ge_s (local.get $ir) (local.get $mc)))
            (call $micro (local.get $kc)
              (i32.add (local.get $apack) (i32.mul (local.get $ir) (i32.shl (local.get $kc) (i32.const 2))))
              (local.get $pb)
              (i32.add (local.get $C) (i32.add (i32.mul (i32.add (local.get $ic) (local.get $ir)) (local.get $ldc)) (i32.shl (local.get $jr) (i32.const 2))))
              (local.get $ldc) (local.get $alpha)
              (select (i32.sub (local.get $mc) (local.get $ir)) (i32.const 4) (i32.lt_s (i32.sub (local.get $mc) (local.get $ir)) (i32.const 4)))
              (select (i32.sub (local.get $N) (local.get $jr)) (i32.const 8) (i32.lt_s (i32.sub (local.get $N) (local.get $jr)) (i32.const 8)))
              (local.get $ws) (i32.and (local.get $init) (i32.eqz (local.get $pc))) (i32.const 0))
            (local.set $ir (i32.add (local.get $ir) (i32.const 4)))
            (br $irl)))
          (local.set $jr (i32.add (local.get $jr) (i32.const 8)))
          (br $jrl)))
        (local.set $ic (i32.add (local.get $ic) (local.get $mc)))
        (br $il)))
      (local.set $pc (i32.add (local.get $pc) (local.get $kc)))
      (br $kl))))`);

  return out;
}
