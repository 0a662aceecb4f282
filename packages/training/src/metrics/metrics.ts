import { Random } from '../random.js';

/**
 * The regression metrics PosePool reports.
 *
 * @example
 * ```ts
 * METRIC_NAMES.map((name) => metric(name, predicted, measured));
 * ```
 */
export const METRIC_NAMES = ['mae', 'rmse', 'pearson', 'spearman', 'kendall'] as const;
/** One of {@link METRIC_NAMES}. */
export type MetricName = (typeof METRIC_NAMES)[number];

const mean = (x: readonly number[]): number => x.reduce((s, v) => s + v, 0) / x.length;

/** Pearson's r; NaN when either side is constant or n < 2. */
function pearson(x: readonly number[], y: readonly number[]): number {
  const [mx, my] = [mean(x), mean(y)];
  let [sxy, sxx, syy] = [0, 0, 0];
  for (let i = 0; i < x.length; i++) {
    const [dx, dy] = [x[i]! - mx, y[i]! - my];
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return x.length < 2 || sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy);
}

/** Ranks from 1, ties sharing their mean rank. */
function ranks(x: readonly number[]): number[] {
  const order = x.map((_, i) => i).sort((a, b) => x[a]! - x[b]!);
  const out = new Array<number>(x.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && x[order[end + 1]!] === x[order[start]!]) end++;
    for (let k = start; k <= end; k++) out[order[k]!] = (start + end) / 2 + 1;
    start = end + 1;
  }
  return out;
}

/** Kendall's τ-b (ties in either variable corrected); NaN when either side is constant. */
function kendall(x: readonly number[], y: readonly number[]): number {
  let [concordant, discordant, tiesX, tiesY] = [0, 0, 0, 0];
  for (let i = 0; i < x.length; i++) {
    for (let j = i + 1; j < x.length; j++) {
      const s = Math.sign(x[i]! - x[j]!) * Math.sign(y[i]! - y[j]!);
      if (s > 0) concordant++;
      else if (s < 0) discordant++;
      else if (x[i] === x[j] && y[i] !== y[j]) tiesX++;
      else if (y[i] === y[j] && x[i] !== x[j]) tiesY++;
    }
  }
  const denominator = Math.sqrt((concordant + discordant + tiesX) * (concordant + discordant + tiesY));
  return denominator === 0 ? NaN : (concordant - discordant) / denominator;
}

/**
 * One metric of predictions against measurements: `mae`, `rmse`, Pearson's r, Spearman's ρ
 * (Pearson's r of the mid-ranks) or Kendall's τ-b.
 *
 * @param name - the metric
 * @param predicted - predictions
 * @param measured - measurements, same length
 * @returns the value (NaN for a correlation with a constant side or fewer than 2 points)
 * @example
 * ```ts
 * metric('rmse', [1, 2], [1, 4]); // √2
 * ```
 */
export function metric(name: MetricName, predicted: readonly number[], measured: readonly number[]): number {
  if (predicted.length !== measured.length) throw new RangeError(`metric(): ${predicted.length} predictions for ${measured.length} measurements.`);
  if (predicted.length === 0) return NaN;
  switch (name) {
    case 'mae':
      return mean(predicted.map((p, i) => Math.abs(p - measured[i]!)));
    case 'rmse':
      return Math.sqrt(mean(predicted.map((p, i) => (p - measured[i]!) ** 2)));
    case 'pearson':
      return pearson(predicted, measured);
    case 'spearman':
      return pearson(ranks(predicted), ranks(measured));
    case 'kendall':
      return kendall(predicted, measured);
  }
}

/** A metric's value and its bootstrap confidence interval. */
export interface MetricInterval {
  readonly value: number;
  /** Lower end of the percentile interval. */
  readonly low: number;
  /** Upper end of the percentile interval. */
  readonly high: number;
}

/** Every metric with its interval, and the number of compounds. */
export type MetricReport = { readonly n: number } & { readonly [K in MetricName]: MetricInterval };

/** Options of {@link metricReport}. */
export interface BootstrapOptions {
  /** Resamples. @defaultValue 1000 */
  samples?: number;
  /** Seed of the resampling. @defaultValue 1 */
  seed?: number;
  /** Coverage of the interval. @defaultValue 0.95 */
  level?: number;
}

/** The q-quantile of sorted values, linearly interpolated. */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const at = q * (sorted.length - 1);
  const [lo, hi] = [Math.floor(at), Math.ceil(at)];
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

/**
 * Every metric with a seeded bootstrap percentile interval: compounds are resampled with
 * replacement `samples` times; resamples where a correlation is undefined (a constant side) are
 * left out of that metric's interval.
 *
 * @param predicted - predictions
 * @param measured - measurements, same length
 * @param options - resamples, seed, level
 * @returns each metric's value and interval, and n
 * @example
 * ```ts
 * const report = metricReport([6.1, 7.3, 8.0], [6.0, 7.5, 7.9], { seed: 1 });
 * report.rmse.low <= report.rmse.value; // true
 * ```
 */
export function metricReport(predicted: readonly number[], measured: readonly number[], options: BootstrapOptions = {}): MetricReport {
  const { samples = 1000, seed = 1, level = 0.95 } = options;
  const random = new Random(seed);
  const n = predicted.length;
  const draws: Record<MetricName, number[]> = { mae: [], rmse: [], pearson: [], spearman: [], kendall: [] };
  for (let s = 0; s < samples && n > 0; s++) {
    const pick = Array.from({ length: n }, () => random.int(n));
    const [p, m] = [pick.map((i) => predicted[i]!), pick.map((i) => measured[i]!)];
    for (const name of METRIC_NAMES) {
      const value = metric(name, p, m);
      if (!Number.isNaN(value)) draws[name].push(value);
    }
  }
  const alpha = (1 - level) / 2;
  const entry = (name: MetricName): MetricInterval => {
    const sorted = draws[name].sort((a, b) => a - b);
    return { value: metric(name, predicted, measured), low: quantile(sorted, alpha), high: quantile(sorted, 1 - alpha) };
  };
  return { n, mae: entry('mae'), rmse: entry('rmse'), pearson: entry('pearson'), spearman: entry('spearman'), kendall: entry('kendall') };
}
