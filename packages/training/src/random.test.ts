import { describe, expect, it } from 'vitest';

import { Random, seedOf } from './random.js';

describe('Random', () => {
  it('continues exactly from a saved state, through JSON', () => {
    const a = new Random(42);
    for (let i = 0; i < 10; i++) a.next();
    const b = Random.fromState(JSON.parse(JSON.stringify(a.state())) as ReturnType<Random['state']>);
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(Array.from({ length: 20 }, () => a.next()));
  });

  it('is seeded, uniform in [0, 1), and shuffles to a permutation', () => {
    expect(new Random(1).next()).toBe(new Random(1).next());
    expect(new Random(1).next()).not.toBe(new Random(2).next());
    const random = new Random(7);
    const draws = Array.from({ length: 10_000 }, () => random.next());
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    expect(draws.reduce((s, v) => s + v, 0) / draws.length).toBeCloseTo(0.5, 1);
    const order = random.shuffle([...Array(20).keys()]);
    expect([...order].sort((x, y) => x - y)).toEqual([...Array(20).keys()]);
    expect(order).not.toEqual([...Array(20).keys()]);
  });

  it('draws standard normal values', () => {
    const random = new Random(11);
    const draws = Array.from({ length: 20_000 }, () => random.normal());
    const mean = draws.reduce((s, v) => s + v, 0) / draws.length;
    const variance = draws.reduce((s, v) => s + (v - mean) ** 2, 0) / draws.length;
    expect(draws.every(Number.isFinite)).toBe(true);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(variance).toBeGreaterThan(0.96);
    expect(variance).toBeLessThan(1.04);
  });
});

describe('seedOf', () => {
  it('is a 32-bit function of its parts, their order and their boundaries', () => {
    expect(seedOf(1, 2, 'tyk2/a')).toBe(seedOf(1, 2, 'tyk2/a'));
    const seeds = [seedOf(1, 2, 'tyk2/a'), seedOf(1, 3, 'tyk2/a'), seedOf(2, 2, 'tyk2/a'), seedOf(1, 2, 'tyk2/b'), seedOf('a', 'bc'), seedOf('ab', 'c'), seedOf(1), seedOf('1'), seedOf('λ')];
    expect(new Set(seeds).size).toBe(seeds.length);
    for (const s of seeds) expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
  });
});
