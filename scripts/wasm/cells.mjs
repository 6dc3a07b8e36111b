// Piece "cells" of the kernel module: the pointwise half of an LSTM or GRU step (the equations are
// in src/engine/cells/lstm.ts and gru.ts, the reference loops in src/engine/kernels.ts).

export const exports = ['lstm_fwd', 'lstm_bwd', 'gru_fwd', 'gru_bwd'];

/** An f32x4 constant with x in every lane. */
export const f4 = (x) => `(v128.const f32x4 ${x} ${x} ${x} ${x})`;
export const one = f4('1.0');
/**
 * Statements leaving exp(input) in $e (f32x4; temps $fx $y $z, see expTemps): Cephes' expf (range
 * reduction by ln 2, degree-6 polynomial, 2^n through the exponent bits), clamped to ±88 so 2^n
 * stays finite. Relative error ~1e-7: float32 rounding level. madd: a*b + c of the variant being
 * built (fused in the fma one: the range reduction and the polynomial round once per step).
 * The clamp is pmax/pmin with the input first (one minps/maxps each on x64, where f32x4.min/max
 * take about seven instructions; a NaN input stays NaN, every other value is clamped alike), and
 * n + 127 is read from the bits of n + 1.5·2^23 + 127 (n is an integer in [-127, 127], so the sum
 * is exact and its low mantissa bits are n + 127; the shift drops the rest) instead of through
 * i32x4.trunc_sat_f32x4_s, another multi-instruction op: the same bits, in fewer instructions.
 */
export const expInto = (input, madd = plainMadd) => [
  `(local.set $e (f32x4.pmin (f32x4.pmax ${input} ${f4('-88.0')}) ${f4('88.0')}))`,
  `(local.set $fx (f32x4.nearest (f32x4.mul (local.get $e) ${f4('1.44269504088896341')})))`,
  `(local.set $e ${madd('(local.get $fx)', f4('2.12194440e-4'), madd('(local.get $fx)', f4('-0.693359375'), '(local.get $e)'))})`,
  `(local.set $z (f32x4.mul (local.get $e) (local.get $e)))`,
  `(local.set $y ${f4('1.9875691500e-4')})`,
  ...['1.3981999507e-3', '8.3334519073e-3', '4.1665795894e-2', '1.6666665459e-1', '5.0000001201e-1']
    .map((c) => `(local.set $y ${madd('(local.get $y)', '(local.get $e)', f4(c))})`),
  `(local.set $y (f32x4.add ${madd('(local.get $y)', '(local.get $z)', '(local.get $e)')} ${one}))`,
  `(local.set $e (f32x4.mul (local.get $y) (i32x4.shl (f32x4.add (local.get $fx) ${f4('12583039.0')}) (i32.const 23))))`,
];
/** a*b + c in two roundings (the plain SIMD variant; the fma variant passes its relaxed_madd). */
const plainMadd = (a, b, c) => `(f32x4.add (f32x4.mul ${a} ${b}) ${c})`;
/** The locals expInto needs. */
export const expTemps = '(local $e v128) (local $fx v128) (local $y v128) (local $z v128)';


/** The piece's WAT functions; the exp inside uses the variant's madd. */
export function wat({ madd }) {
  const out = [];
  // ---- pointwise cell math (cells/lstm.ts, cells/gru.ts), f32x4 over j, row by row over b; H % 4 == 0.
  // exp is Cephes' expf (range reduction by ln 2, degree-6 polynomial, 2^n through the exponent
  // bits), clamped to ±88 so 2^n stays finite; sigmoid = 1/(1+e^-x), tanh = 1 - 2/(e^2x + 1), as the
  // TypeScript cells. Relative error of exp ~1e-7: float32 rounding level.
  {
    const sigmoidInto = (dst, x) => [...expInto(`(f32x4.neg ${x})`, madd), `(local.set ${dst} (f32x4.div ${one} (f32x4.add ${one} (local.get $e))))`];
    const tanhInto = (dst, x) => [...expInto(`(f32x4.add ${x} ${x})`, madd), `(local.set ${dst} (f32x4.sub ${one} (f32x4.div ${f4('2.0')} (f32x4.add (local.get $e) ${one}))))`];
    const temps = `(local $o i32) ${expTemps}`;
    const ld = (base, block = 0) => `(v128.load (i32.add (local.get ${base}) (i32.add (local.get $o) ${block ? `(i32.mul (local.get $H4) (i32.const ${block}))` : '(i32.const 0)'})))`;
    const st = (base, block, value) => `(v128.store (i32.add (local.get ${base}) (i32.add (local.get $o) ${block ? `(i32.mul (local.get $H4) (i32.const ${block}))` : '(i32.const 0)'})) ${value})`;
    // A function looping b over B rows and o over the row's H*4 bytes; rows advance each pointer by its width (in H).
    const pointwise = (name, params, widths, locals, body) => `
  (func $${name} (export "${name}") (param $B i32) (param $H i32) ${params.map((p) => `(param ${p} i32)`).join(' ')}
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
  return out;
}
