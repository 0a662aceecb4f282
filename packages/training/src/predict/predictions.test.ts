import { describe, expect, it } from 'vitest';

import { predictionsFromCsv, predictionsToCsv, type CompoundPredictionRow } from './predictions.js';

describe('predictionsFromCsv', () => {
  it('reads back what predictionsToCsv wrote, numbers exactly', () => {
    const rows: CompoundPredictionRow[] = [
      { folder: 'tyk2', id: 'a', split: 'test', measured: 7.1, predicted: 6.123456789012345, poses: [{ pose: 1, prediction: -9.5, weight: 0.25 }, { pose: 3, prediction: 1 / 3, weight: 0.75 }] },
      { folder: 'a,b', id: 'b "x"', split: 'train', measured: null, predicted: 5, poses: [{ pose: 0, prediction: 5, weight: 1 }] },
    ];
    expect(predictionsFromCsv(predictionsToCsv(rows))).toEqual(rows);
    const [first] = predictionsFromCsv(predictionsToCsv(rows.map(({ split: _, ...row }) => row)));
    expect(first).not.toHaveProperty('split');
  });
});
