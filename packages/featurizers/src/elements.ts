import { InputError, type InputLocation } from './errors.js';

// Symbols in order of atomic number; index + 1 = Z.
const SYMBOLS = (
  'H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr ' +
  'Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb Lu ' +
  'Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr ' +
  'Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og'
).split(' ');
const NUMBERS = new Map(SYMBOLS.map((symbol, i) => [symbol.toUpperCase(), i + 1]));
// Deuterium and tritium count as hydrogen.
NUMBERS.set('D', 1);
NUMBERS.set('T', 1);

/**
 * The atomic number of an element symbol, case-insensitively.
 *
 * @param symbol - e.g. `C`, `CL`, `Cl`
 * @param where - named in the error
 * @returns Z
 * @throws InputError naming the symbol when it is not an element
 * @example
 * ```ts
 * atomicNumber('Cl', { file: 'x.sdf', line: 5 }); // 17
 * ```
 */
export function atomicNumber(symbol: string, where: InputLocation): number {
  const z = NUMBERS.get(symbol.trim().toUpperCase());
  if (z === undefined) throw new InputError(where, `unknown element '${symbol.trim()}'`, 'Use an element symbol (C, N, O, Cl, …).');
  return z;
}

/**
 * The element symbol of an atomic number.
 *
 * @param z - the atomic number
 * @returns the symbol (`?` outside 1…118)
 *
 * @example
 * ```ts
 * elementSymbol(17); // 'Cl'
 * ```
 */
export function elementSymbol(z: number): string {
  return SYMBOLS[z - 1] ?? '?';
}
