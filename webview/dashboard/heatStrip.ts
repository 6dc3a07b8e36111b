// The vanishing-gradient picture as a heat strip: one row per reported BPTT window (oldest at the
// top), one column per time step t, colour = log10 ‖∂L/∂a<t>‖ on a shared scale; rows of windows
// whose gradient was clipped carry a mark at their left edge. Drawn on a canvas, theme colours.
import type { GradWindow } from '../../src/protocol/dashboard';
import type { ChartTheme } from './theme';

const markerW = 4;   // px: rows of clipped windows get a mark over their left edge

export interface HeatStripRange { readonly lo: number; readonly hi: number }   // log10 norm

/** log10 range over every finite positive norm of the windows shown. */
export function logRange(windows: readonly GradWindow[]): HeatStripRange | undefined {
  let lo = Infinity, hi = -Infinity;
  for (const w of windows) for (const n of w.norms) {
    if (!(n > 0) || !Number.isFinite(n)) continue;
    const l = Math.log10(n);
    if (l < lo) lo = l;
    if (l > hi) hi = l;
  }
  if (!Number.isFinite(lo)) return undefined;
  return hi - lo < 1e-6 ? { lo: lo - 0.5, hi: hi + 0.5 } : { lo, hi };
}

export function drawHeatStrip(canvas: HTMLCanvasElement, windows: readonly GradWindow[], theme: ChartTheme): HeatStripRange | undefined {
  const ctx = canvas.getContext('2d');
  if (!ctx) return undefined;
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth, height = canvas.clientHeight;
  const pixelW = Math.max(1, Math.round(width * ratio)), pixelH = Math.max(1, Math.round(height * ratio));
  if (canvas.width !== pixelW || canvas.height !== pixelH) { canvas.width = pixelW; canvas.height = pixelH; }   // resizing reallocates
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const range = logRange(windows);
  if (!range || windows.length === 0) return range;
  const T = Math.max(...windows.map((w) => w.norms.length));
  const rowH = height / windows.length;
  // column t is centred where the chart above puts t (1 at the left edge, T at the right)
  const colW = T > 1 ? width / (T - 1) : width;
  const xOf = (t: number) => (T > 1 ? (t * width) / (T - 1) : 0) - colW / 2;
  windows.forEach((w, row) => {
    const y = row * rowH;
    ctx.fillStyle = theme.palette[0];
    w.norms.forEach((n, t) => {
      const v = n > 0 && Number.isFinite(n) ? (Math.log10(n) - range.lo) / (range.hi - range.lo) : 0;
      ctx.globalAlpha = 0.06 + 0.94 * v;   // a vanishing gradient fades into the background
      ctx.fillRect(xOf(t), y, Math.ceil(colW), Math.ceil(rowH));
    });
    if (w.clipped) {
      ctx.globalAlpha = 1;
      ctx.fillStyle = theme.warning;
      ctx.fillRect(0, y, markerW, Math.max(1, rowH));
    }
  });
  ctx.globalAlpha = 1;
  return range;
}
