import { describe, expect, it } from 'vitest';

import { InputError } from '../errors.js';
import { decimal, integer, LIMITS } from './numbers.js';

const where = { file: 'a.pdb', line: 7 };

describe('decimal', () => {
  it('reads what files mean by a number', () => {
    expect(['1', '-1.5', '+.5', '2.', '1e3', '-1.25E-2', ' 3.0 '].map((t) => decimal(t, where, 'x'))).toEqual([1, -1.5, 0.5, 2, 1000, -0.0125, 3]);
  });

  it.each(['0x1F', '0b101', '0o7', 'Infinity', '-Infinity', 'NaN', '', '  ', '1_000', '1e', '--1', '1.2.3', '١٢'])("refuses '%s' with the file, line and field", (text) => {
    expect(() => decimal(text, where, 'x coordinate')).toThrow(InputError);
    expect(() => decimal(text, where, 'x coordinate')).toThrow(new RegExp(`^a\\.pdb:7: x coordinate '${text.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' is not a number`));
  });

  it('refuses values outside the plausible range', () => {
    expect(() => decimal('1e30', where, 'x coordinate', LIMITS.coordinate)).toThrow(/a\.pdb:7: x coordinate 1e30 is outside the plausible range -100000…100000/);
    expect(decimal('-99999', where, 'x', LIMITS.coordinate)).toBe(-99999);
  });
});

describe('integer', () => {
  it('reads signed digits only, within the range', () => {
    expect(integer(' -3', where, 'charge', LIMITS.charge)).toBe(-3);
    for (const text of ['1.0', '0x1', '1e2', '']) expect(() => integer(text, where, 'charge')).toThrow(/is not an integer/);
    expect(() => integer('99', where, 'charge', LIMITS.charge)).toThrow(/charge 99 is outside the plausible range -15…15/);
  });
});
