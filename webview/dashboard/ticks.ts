// Axis tick labels that stay readable for the small numbers the gradient charts show: uPlot's default
// rounds ‖∂L/∂a<t>‖ = 0.00003 to "0". One axis gets one style: plain decimals for ordinary values,
// 1e-4-style exponents when a tick is below 1e-3 or at least 1e5; each with the fewest significant
// digits that keep neighbouring ticks apart. Pure: no DOM, unit-tested.

const plainBelow = 1e5, plainFrom = 1e-3;

/** One number in exponent style: 1e-4, 2.5e-4, -3e+6 → "-3e6". */
export function exponentLabel(v: number, digits: number): string {
  if (v === 0) return '0';
  const [mantissa, exponent] = v.toExponential(Math.max(0, digits - 1)).split('e');
  return `${Number(mantissa)}e${Number(exponent)}`;
}

/** One number as plain decimals with `digits` significant digits, trailing zeros dropped. */
export function plainLabel(v: number, digits: number): string {
  return Number(v.toPrecision(digits)).toString();
}

/** Labels for an axis' ticks (uPlot's axis `values`); non-finite ticks give "". */
export function tickLabels(splits: readonly number[]): string[] {
  const finite = splits.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return splits.map(() => '');
  const nonZero = finite.filter((v) => v !== 0).map(Math.abs);
  const exponent = nonZero.some((a) => a < plainFrom || a >= plainBelow);
  const label = exponent ? exponentLabel : plainLabel;
  for (let digits = 1; digits <= 6; digits++) {
    const labels = splits.map((v) => (Number.isFinite(v) ? label(v, digits) : ''));
    const distinctTicks = new Set(finite).size, distinctLabels = new Set(labels.filter((l) => l !== '')).size;
    if (distinctLabels === distinctTicks) return labels;
  }
  return splits.map((v) => (Number.isFinite(v) ? label(v, 6) : ''));
}
