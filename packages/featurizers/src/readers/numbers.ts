import { InputError, type InputLocation } from '../errors.js';

/**
 * The plausible ranges of what files give. Coordinates: |x| ≤ 100 000 Å (PDB's columns hold at
 * most 9999.999; a larger value is a unit or format error). Formal charges: −15…15. Measurements
 * (pK, pIC50, ΔG in kT, kcal or kJ per mol) and per-pose labels (scores, RMSDs): |v| ≤ 100 000.
 *
 * @example
 * ```ts
 * decimal('1e30', where, 'x coordinate', LIMITS.coordinate); // throws: outside −100000…100000
 * ```
 */
export const LIMITS = {
  coordinate: [-1e5, 1e5],
  charge: [-15, 15],
  measurement: [-1e5, 1e5],
} as const satisfies Record<string, readonly [number, number]>;

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,3})?$/;
const INTEGER = /^[+-]?\d{1,15}$/;

function check(value: number, text: string, where: InputLocation, field: string, range: readonly [number, number] | undefined): number {
  if (range !== undefined && (value < range[0] || value > range[1])) {
    throw new InputError(where, `${field} ${text} is outside the plausible range ${range[0]}…${range[1]}`, 'Check the units and the column layout.');
  }
  return value;
}

/**
 * Reads a decimal number as a structure file or table means it: digits with an optional sign,
 * point and exponent. Hexadecimal (`0x1F`), binary (`0b101`), `Infinity`, `NaN` and blanks are
 * refused, and so is a value outside `range`.
 *
 * @param text - the field (surrounding blanks are ignored)
 * @param where - file, line, record: named in the error
 * @param field - what the field is, e.g. `x coordinate`
 * @param range - the plausible range, inclusive (see {@link LIMITS})
 * @param detail - added after the quoted value, e.g. `columns 31–38`
 * @returns the value
 * @throws InputError naming the file, line, field and value
 * @example
 * ```ts
 * decimal(' -12.5', { file: 'a.pdb', line: 3 }, 'x coordinate', LIMITS.coordinate); // -12.5
 * ```
 */
export function decimal(text: string, where: InputLocation, field: string, range?: readonly [number, number], detail?: string): number {
  const trimmed = text.trim();
  if (!DECIMAL.test(trimmed)) throw new InputError(where, `${field} '${trimmed}'${detail === undefined ? '' : ` (${detail})`} is not a number`, 'Write a decimal number such as -12.345 (not hexadecimal, binary, Infinity or NaN).');
  return check(Number(trimmed), trimmed, where, field, range);
}

/**
 * Reads a decimal integer: digits with an optional sign, nothing else, within `range`.
 *
 * @param text - the field (surrounding blanks are ignored)
 * @param where - file, line, record: named in the error
 * @param field - what the field is, e.g. `atom count`
 * @param range - the plausible range, inclusive
 * @returns the value
 * @throws InputError naming the file, line, field and value
 * @example
 * ```ts
 * integer('  3', { file: 'a.sdf', line: 4 }, 'atom count', [0, 999]); // 3
 * ```
 */
export function integer(text: string, where: InputLocation, field: string, range?: readonly [number, number]): number {
  const trimmed = text.trim();
  if (!INTEGER.test(trimmed)) throw new InputError(where, `${field} '${trimmed}' is not an integer`);
  return check(Number(trimmed), trimmed, where, field, range);
}
