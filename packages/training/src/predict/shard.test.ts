import { describe, expect, it } from 'vitest';

import { inShard, parseShard } from './shard.js';

describe('shards', () => {
  it('parses i/n and the schedulers’ variables', () => {
    expect(parseShard('2/8')).toEqual({ index: 2, count: 8 });
    expect(parseShard('auto', { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({ index: 3, count: 4 });
    expect(parseShard('auto', { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '4', SLURM_ARRAY_TASK_COUNT: '2' })).toEqual({ index: 1, count: 2 });
    expect(parseShard('auto', { JOB_COMPLETION_INDEX: '1' }, 3)).toEqual({ index: 1, count: 3 });
  });

  it('rejects bad values with the expected form', () => {
    expect(() => parseShard('4/4')).toThrow(/need 0 ≤ i < n/);
    expect(() => parseShard('a/b')).toThrow(/expected i\/n/);
    expect(() => parseShard('auto', {})).toThrow(/neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX/);
    expect(() => parseShard('auto', { JOB_COMPLETION_INDEX: '0' })).toThrow(/--shard-count/);
  });

  it('puts every key in exactly one shard', () => {
    const keys = Array.from({ length: 200 }, (_, i) => `set/compound-${i}`);
    const counts = keys.map((k) => [0, 1, 2].filter((index) => inShard(k, { index, count: 3 })).length);
    expect(counts.every((c) => c === 1)).toBe(true);
    const sizes = [0, 1, 2].map((index) => keys.filter((k) => inShard(k, { index, count: 3 })).length);
    expect(Math.min(...sizes)).toBeGreaterThan(40);
  });
});
