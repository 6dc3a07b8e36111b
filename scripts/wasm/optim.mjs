// Piece "optim" of the kernel module: Adam's (and AdamW's) update over elements [r0, r1) of the flat
// parameter buffer, as Adam.step in src/engine/optim.ts (without amsgrad): f32x4, then a scalar
// tail. The hyper-parameters arrive as float32 bits (i32) so the helper thread can pass them along;
// 1-β1 and 1-β2 come computed in float64, as the reference has them.
//   p *= shrink; g' = g + l2·p; m = β1·m + (1-β1)·g'; v = β2·v + (1-β2)·g'²;
//   p -= stepSize·m / (√v / bias2Sqrt + eps)

export const exports = ['adam_update'];

const params = ['$beta1', '$beta2', '$omb1', '$omb2', '$eps', '$stepSize', '$bias2Sqrt', '$l2', '$shrink'];

export function wat() {
  const body = (T, load, store, step, splat) => {
    const c = (name) => `(local.get ${name}${T === 'f32x4' ? '4' : ''})`;
    const op = (o, a, b) => `(${T}.${o} ${a} ${b})`;
    return `
      (local.set $pv ${op('mul', load('$p'), c('$shrink'))})
      (local.set $gv ${op('add', load('$g'), op('mul', c('$l2'), '(local.get $pv)'))})
      (local.set $mv ${op('add', op('mul', c('$beta1'), load('$m')), op('mul', c('$omb1'), '(local.get $gv)'))})
      (local.set $vv ${op('add', op('mul', c('$beta2'), load('$v')), op('mul', op('mul', c('$omb2'), '(local.get $gv)'), '(local.get $gv)'))})
      ${store('$m', '(local.get $mv)')}
      ${store('$v', '(local.get $vv)')}
      ${store('$p', op('sub', '(local.get $pv)', op('div', op('mul', c('$stepSize'), '(local.get $mv)'), op('add', op('div', `(${T}.sqrt (local.get $vv))`, c('$bias2Sqrt')), c('$eps')))))}
      (local.set $o (i32.add (local.get $o) (i32.const ${step})))`;
  };
  const at = (base) => `(i32.add (local.get ${base}) (local.get $o))`;
  const vec = body('f32x4', (b) => `(v128.load ${at(b)})`, (b, v) => `(v128.store ${at(b)} ${v})`, 16);
  const sca = body('f32', (b) => `(f32.load ${at(b)})`, (b, v) => `(f32.store ${at(b)} ${v})`, 4);
  const names = params;
  return [`
  (func $adam_update (export "adam_update") (param $r0 i32) (param $r1 i32) (param $p i32) (param $g i32) (param $m i32) (param $v i32)
    ${params.map((p) => `(param ${p}Bits i32)`).join(' ')} (param $ws i32)
    (local $o i32) (local $end i32) (local $vend i32)
    ${names.map((n) => `(local ${n} f32) (local ${n}4 v128)`).join(' ')}
    (local $pv v128) (local $gv v128) (local $mv v128) (local $vv v128)
    ${params.map((p) => `(local.set ${p} (f32.reinterpret_i32 (local.get ${p}Bits)))`).join('\n    ')}
    ${names.map((n) => `(local.set ${n}4 (f32x4.splat (local.get ${n})))`).join('\n    ')}
    (local.set $o (i32.shl (local.get $r0) (i32.const 2)))
    (local.set $end (i32.shl (local.get $r1) (i32.const 2)))
    (local.set $vend (i32.add (local.get $o) (i32.and (i32.sub (local.get $end) (local.get $o)) (i32.const -16))))
    (block $vdone (loop $vl
      (br_if $vdone (i32.ge_u (local.get $o) (local.get $vend)))${vec}
      (br $vl)))
    (block $sdone (loop $sl
      (br_if $sdone (i32.ge_u (local.get $o) (local.get $end)))${sca.replace(/\$pv/g, '$ps').replace(/\$gv/g, '$gs').replace(/\$mv/g, '$ms').replace(/\$vv/g, '$vs')}
      (br $sl))))`.replace('(local $pv v128) (local $gv v128) (local $mv v128) (local $vv v128)', '(local $pv v128) (local $gv v128) (local $mv v128) (local $vv v128) (local $ps f32) (local $gs f32) (local $ms f32) (local $vs f32)')];
}
