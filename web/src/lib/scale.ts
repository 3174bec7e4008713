import type { MapMetric } from './types';

type Rgb = [number, number, number];
const hex = (color: string): Rgb => [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16)) as Rgb;
const mix = (a: Rgb, b: Rgb, t: number) => `rgb(${a.map((v, i) => Math.round(v + (b[i]! - v) * t)).join(',')})`;

/** A colour ramp over evenly spaced stops; t outside 0..1 is clamped. */
function ramp(stops: string[]): (t: number) => string {
  const colors = stops.map(hex);
  return (t) => {
    const x = Math.min(1, Math.max(0, t)) * (colors.length - 1);
    const i = Math.min(colors.length - 2, Math.floor(x));
    return mix(colors[i]!, colors[i + 1]!, x - i);
  };
}

const diverging = ramp(['#b2182b', '#ef8a62', '#f4f1e8', '#67a9cf', '#2166ac']);
const sequential = ramp(['#f1eef6', '#9ebcda', '#3b75b0', '#08306b']);
const alarming = ramp(['#fff5eb', '#fdae6b', '#e6550d', '#7f2704']);
export const NO_VALUE = '#c9cdcb';

export interface ColorScale {
  color(value: number | null): string;
  /** Legend ticks in the metric's own unit. */
  ticks: number[];
  kind: 'change' | 'share' | 'count';
}

/** Changes are diverging around 0 (±30% saturates); shares run 0..100%; alert counts run 0..the busiest store. */
export function colorScale(metric: MapMetric, values: (number | null)[]): ColorScale {
  if (metric === 'sales_vs_ly' || metric === 'sales_vs_prev' || metric === 'sales_vs_compare') {
    // Saturate at the 90th percentile of |change| (5%..50%, in 5% steps) so that a flat chain still shows its spread.
    const sizes = values
      .filter((v): v is number => v !== null)
      .map(Math.abs)
      .sort((a, b) => a - b);
    const p90 = sizes[Math.floor(sizes.length * 0.9)] ?? 0.3;
    const limit = Math.min(0.5, Math.max(0.05, Math.ceil(p90 / 0.05) * 0.05));
    return {
      kind: 'change',
      ticks: [-limit, -limit / 2, 0, limit / 2, limit],
      color: (v) => (v === null ? NO_VALUE : diverging((v + limit) / (2 * limit))),
    };
  }
  if (metric === 'open_alerts') {
    const max = Math.max(4, ...values.filter((v): v is number => v !== null));
    const ticks = [0, Math.round(max / 4), Math.round(max / 2), Math.round((3 * max) / 4), max];
    return { kind: 'count', ticks, color: (v) => (v === null ? NO_VALUE : alarming(v / max)) };
  }
  const present = values.filter((v): v is number => v !== null);
  const max = present.length ? Math.min(1, Math.ceil(Math.max(...present) * 10) / 10) : 1;
  const ticks = [0, max / 4, max / 2, (3 * max) / 4, max];
  return { kind: 'share', ticks, color: (v) => (v === null ? NO_VALUE : sequential(v / max)) };
}
