import { describe, expect, it } from 'vitest';

import { resolveRunConfig } from '../config/load.js';
import { LearningRateSchedule } from './schedule.js';

const schedule = (options: object, epochs = 11) => new LearningRateSchedule(resolveRunConfig({ schedule: options }).schedule, 1, epochs);

describe('LearningRateSchedule', () => {
  it('constant, step and warm-up', () => {
    expect(schedule({}).rate(7)).toBe(1);
    const step = schedule({ name: 'step', stepEpochs: 2, factor: 0.5 });
    expect([0, 1, 2, 3, 4].map((e) => step.rate(e))).toEqual([1, 1, 0.5, 0.5, 0.25]);
    const warm = schedule({ warmupEpochs: 3 });
    expect([0, 1, 2, 3].map((e) => warm.rate(e))).toEqual([0.25, 0.5, 0.75, 1]);
  });

  it('cosine runs from the rate to the floor over the epochs', () => {
    const cosine = schedule({ name: 'cosine', minLearningRate: 0.1 });
    expect(cosine.rate(0)).toBeCloseTo(1, 12);
    expect(cosine.rate(5)).toBeCloseTo(0.55, 12);
    expect(cosine.rate(10)).toBeCloseTo(0.1, 12);
  });

  it('reduce-on-plateau lowers the rate after patience epochs without improvement', () => {
    const plateau = schedule({ name: 'reduce-on-plateau', patience: 2, factor: 0.1 });
    for (const loss of [5, 4, 4.5, 4.2]) plateau.observe(loss);
    expect(plateau.rate(4)).toBeCloseTo(0.1, 12);
    const resumed = new LearningRateSchedule(resolveRunConfig({ schedule: { name: 'reduce-on-plateau' } }).schedule, 1, 11, plateau.state);
    expect(resumed.rate(5)).toBe(plateau.rate(5));
  });
});
