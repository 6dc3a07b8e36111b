// A small wrapper over uPlot for the dashboard: themed axes, a log-y option, width following its
// container, and rebuild-on-demand (theme switch, log toggle) keeping the last data.
import uPlot from 'uplot';
import type { ChartTheme } from './theme';
import { tickLabels } from './ticks';

export interface SeriesSpec {
  readonly label: string;
  readonly stroke: string;
  readonly width?: number;
  readonly alpha?: number;
  readonly dash?: number[];
  readonly pointsOnly?: boolean;   // markers, no line (clipping events, validation points)
  readonly pointSize?: number;
  readonly spanGaps?: boolean;
}

export interface ChartSpec {
  readonly xLabel: string;
  readonly yLabel: string;
  readonly logY?: boolean;
  readonly height: number;
  readonly series: readonly SeriesSpec[];
  /** A fixed y range (two charts compared on one scale); undefined: fit the data. */
  readonly yRange?: () => [number, number] | undefined;
}

export class Chart {
  private plot: uPlot | undefined;
  private data: uPlot.AlignedData = [[]];
  private readonly resize = new ResizeObserver(() => this.fit());

  constructor(private readonly host: HTMLElement, private spec: ChartSpec, private theme: ChartTheme) {
    this.resize.observe(host);
  }

  /** New series list, scale or theme: rebuild the uPlot instance with the last data. */
  rebuild(spec: ChartSpec = this.spec, theme: ChartTheme = this.theme): void {
    this.spec = spec;
    this.theme = theme;
    this.plot?.destroy();
    this.plot = undefined;
    this.setData(this.data);
  }

  setData(data: uPlot.AlignedData): void {
    this.data = this.fitted(data);
    if (this.plot && this.plot.series.length === this.data.length) {
      this.plot.setData(this.data);
      return;
    }
    this.plot?.destroy();
    this.plot = new uPlot(this.options(), this.data, this.host);
  }

  /** One column per series: data from before a rebuild that added or removed series still fits. */
  private fitted(data: uPlot.AlignedData): uPlot.AlignedData {
    const want = this.spec.series.length + 1;
    if (data.length === want) return data;
    const x = data[0] ?? [];
    const empty = () => new Array<number | null>(x.length).fill(null);
    return [x, ...Array.from({ length: want - 1 }, (_, i) => data[i + 1] ?? empty())] as uPlot.AlignedData;
  }

  /** The plotting area inside the chart's element, in CSS pixels (to line other drawings up with it). */
  plotArea(): { left: number; width: number } | undefined {
    if (!this.plot) return undefined;
    const ratio = window.devicePixelRatio || 1;
    return { left: this.plot.bbox.left / ratio, width: this.plot.bbox.width / ratio };
  }

  /** uPlot's own range when no shared one applies; before any data (min, max null) a placeholder decade. */
  private fallbackRange(min: number | null, max: number | null): uPlot.Range.MinMax {
    if (this.spec.logY) {
      if (min === null || max === null || !(min > 0) || !Number.isFinite(max)) return [1, 10];
      return max > min ? uPlot.rangeLog(min, max, 10, true) : [min / 10, min * 10];
    }
    return min !== null && max !== null ? [min, max] : [0, 1];
  }

    private fit(): void {
    if (this.plot) this.plot.setSize({ width: this.width(), height: this.spec.height });
  }

  private width(): number {
    return Math.max(200, this.host.clientWidth);
  }

  private options(): uPlot.Options {
    const t = this.theme;
    const axis = (label: string): uPlot.Axis => ({
      label, stroke: t.muted, grid: { stroke: t.grid, width: 1 }, ticks: { stroke: t.grid, width: 1 },
      labelSize: 18, size: 48,
    });
    const yRange = this.spec.yRange;
    const y: uPlot.Scale = this.spec.logY ? { distr: 3, log: 10 } : {};
    return {
      width: this.width(),
      height: this.spec.height,
      scales: {
        x: { time: false },
        y: yRange ? { ...y, range: (u, min, max) => yRange() ?? this.fallbackRange(min, max) } : y,
      },
      // y: 1e-4-style labels where uPlot's default would round small gradients to "0"
      axes: [axis(this.spec.xLabel), { ...axis(this.spec.yLabel), size: 56, values: (u, splits) => tickLabels(splits) }],
      legend: { show: true, live: true },
      cursor: { drag: { x: true, y: false } },
      series: [
        { label: this.spec.xLabel },
        ...this.spec.series.map((s): uPlot.Series => ({
          label: s.label,
          stroke: s.stroke,
          width: s.width ?? 1.5,
          alpha: s.alpha,
          dash: s.dash,
          spanGaps: s.spanGaps,
          paths: s.pointsOnly ? () => null : undefined,
          points: s.pointsOnly ? { show: true, size: s.pointSize ?? 6, fill: s.stroke, stroke: s.stroke } : { show: false },
        })),
      ],
    };
  }
}
