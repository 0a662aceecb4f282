import { describe, expect, it } from 'vitest';

import { metric, metricReport } from './metrics.js';

describe('metric', () => {
  it('MAE and RMSE by hand', () => {
    expect(metric('mae', [1, 2, 3], [2, 2, 5])).toBeCloseTo(1, 12);
    expect(metric('rmse', [1, 2, 3], [2, 2, 5])).toBeCloseTo(Math.sqrt(5 / 3), 12);
  });

  it("Pearson's r by hand, and NaN for a constant side", () => {
    expect(metric('pearson', [1, 2, 3], [1, 3, 2])).toBeCloseTo(0.5, 12);
    expect(metric('pearson', [1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(metric('pearson', [1, 1, 1], [1, 2, 3])).toBeNaN();
  });

  it("Spearman's ρ uses mid-ranks for ties", () => {
    // ranks [1, 2.5, 2.5, 4] vs [1, 2, 3, 4]: 4.5 / √(4.5 · 5)
    expect(metric('spearman', [1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(4.5 / Math.sqrt(22.5), 12);
    expect(metric('spearman', [1, 10, 100], [3, 2, 1])).toBeCloseTo(-1, 12);
  });

  it("Kendall's τ-b by hand, with and without ties", () => {
    expect(metric('kendall', [1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(4 / 6, 12); // 5 concordant, 1 discordant
    expect(metric('kendall', [1, 1, 2, 3], [1, 2, 2, 3])).toBeCloseTo(0.8, 12); // 4 / √(5 · 5)
  });

  it('rejects mismatched lengths', () => {
    expect(() => metric('mae', [1], [1, 2])).toThrow(/1 predictions for 2 measurements/);
  });
});

describe('metricReport', () => {
  const predicted = [6.1, 7.3, 8.0, 6.6, 7.9, 5.5, 7.0, 6.8];
  const measured = [6.0, 7.5, 7.9, 6.1, 8.3, 5.9, 6.6, 7.2];

  it('is seeded, and each interval brackets its value', () => {
    const a = metricReport(predicted, measured, { seed: 3, samples: 400 });
    expect(metricReport(predicted, measured, { seed: 3, samples: 400 })).toEqual(a);
    expect(metricReport(predicted, measured, { seed: 4, samples: 400 }).rmse.low).not.toBe(a.rmse.low);
    expect(a.n).toBe(8);
    for (const name of ['mae', 'rmse', 'pearson', 'spearman', 'kendall'] as const) {
      expect(a[name].low).toBeLessThanOrEqual(a[name].value);
      expect(a[name].high).toBeGreaterThanOrEqual(a[name].value);
    }
  });

  it('gives a zero-width interval when every error is the same', () => {
    const report = metricReport([1, 2, 3, 4], [2, 3, 4, 5], { samples: 50 });
    expect(report.mae).toEqual({ value: 1, low: 1, high: 1 });
  });
});
