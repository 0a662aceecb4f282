import { atomicNumber } from '../elements.js';
import { InputError } from '../errors.js';
import { assertTextFile, lines } from './lines.js';
import { decimal, integer, LIMITS } from './numbers.js';
import type { SdfRecord } from './sdf.js';

const BOND_ORDERS: Record<string, number> = { '1': 1, '2': 2, '3': 3, am: 1, ar: 4 };

/**
 * Writes a V2000 molblock (for RDKit) from atoms, bonds and charges.
 *
 * @example
 * ```ts
 * const molblock = toMolblock('water', Int32Array.from([8]), new Float32Array(3), new Int32Array(0), new Uint8Array(0), new Int32Array(1), elementSymbol);
 * ```
 */
export function toMolblock(title: string, z: Int32Array, pos: Float32Array, bonds: Int32Array, orders: Uint8Array, charges: Int32Array, symbol: (z: number) => string): string {
  const pad = (v: string | number, width: number): string => String(v).padStart(width);
  const lines = [title, '  PosePool', '', `${pad(z.length, 3)}${pad(orders.length, 3)}  0  0  0  0  0  0  0  0999 V2000`];
  z.forEach((element, a) => {
    const [x, y, w] = [pos[3 * a]!, pos[3 * a + 1]!, pos[3 * a + 2]!].map((v) => pad(v.toFixed(4), 10));
    lines.push(`${x}${y}${w} ${symbol(element).padEnd(3)} 0  0  0  0  0  0  0  0  0  0  0  0`);
  });
  orders.forEach((order, b) => lines.push(`${pad(bonds[2 * b]! + 1, 3)}${pad(bonds[2 * b + 1]! + 1, 3)}${pad(order, 3)}  0`));
  charges.forEach((charge, a) => {
    if (charge !== 0) lines.push(`M  CHG  1 ${pad(a + 1, 3)} ${pad(charge, 3)}`);
  });
  lines.push('M  END');
  return `${lines.join('\n')}\n`;
}

/**
 * Reads the molecules of a Tripos MOL2 file (`@<TRIPOS>MOLECULE`, `ATOM`, `BOND` sections; any
 * number of molecules), streamed, into the same record shape as SD files. Elements come from
 * the SYBYL atom types (`C.ar` → C); formal charges are not part of MOL2 (partial charges are
 * ignored), so charged groups are left for RDKit to perceive. A V2000 molblock is written for
 * chemistry toolkits.
 *
 * @param file - the path
 * @param symbol - element symbol of an atomic number (for the molblock)
 * @returns an async iterable of records
 * @throws InputError naming the file, line and molecule
 * @example
 * ```ts
 * for await (const molecule of readMol2('ligands.mol2', elementSymbol)) ...
 * ```
 */
export async function* readMol2(file: string, symbol: (z: number) => string): AsyncGenerator<SdfRecord> {
  await assertTextFile(file, 'MOL2');
  let current: { title: string; line: number; counts?: [number, number]; z: number[]; pos: number[]; bonds: number[]; orders: number[]; ids: Map<string, number> } | undefined;
  let section = '';
  let index = 0;
  let headerLine = 0;
  const finish = function* (): Generator<SdfRecord> {
    if (current === undefined) return;
    const where = { file, line: current.line, record: current.title };
    if (current.counts === undefined) throw new InputError(where, 'molecule without a counts line');
    if (current.z.length !== current.counts[0] || current.orders.length !== current.counts[1]) {
      throw new InputError(where, `the counts line announces ${current.counts[0]} atoms and ${current.counts[1]} bonds, the sections hold ${current.z.length} and ${current.orders.length}`, 'The file is truncated or its counts are wrong.');
    }
    const [z, pos, bonds, orders] = [Int32Array.from(current.z), Float32Array.from(current.pos), Int32Array.from(current.bonds), Uint8Array.from(current.orders)];
    const charges = new Int32Array(z.length);
    yield { file, index: index++, line: current.line, title: current.title, z, pos, charges, bonds, bondOrders: orders, tags: {}, molblock: toMolblock(current.title, z, pos, bonds, orders, charges, symbol) };
  };
  for await (const [text, number] of lines(file)) {
    const line = text.trim();
    if (line.startsWith('@<TRIPOS>')) {
      section = line.slice(9);
      if (section === 'MOLECULE') {
        yield* finish();
        current = { title: '', line: number, z: [], pos: [], bonds: [], orders: [], ids: new Map() };
        headerLine = 0;
      }
      continue;
    }
    // In the MOLECULE section the name line may be blank; elsewhere blank lines mean nothing.
    if (current === undefined || (line === '' && !(section === 'MOLECULE' && headerLine < 2))) continue;
    const where = { file, line: number, record: current.title };
    const fields = line.split(/\s+/);
    if (section === 'MOLECULE') {
      if (headerLine === 0) current.title = line;
      if (headerLine === 1) {
        current.counts = [integer(fields[0] ?? '', where, 'atom count', [0, 1e6]), integer(fields[1] ?? '0', where, 'bond count', [0, 1e6])];
      }
      headerLine++;
    } else if (section === 'ATOM') {
      if (fields.length < 6) throw new InputError(where, `ATOM line has ${fields.length} fields; id, name, x, y, z and type are needed`);
      const coordinates = fields.slice(2, 5).map((text, k) => decimal(text, where, `${'xyz'[k]!} coordinate`, LIMITS.coordinate));
      if (current.z.length >= (current.counts?.[0] ?? 0)) throw new InputError(where, `more ATOM lines than the ${current.counts?.[0] ?? 0} atoms the counts line announces`, 'The counts line is wrong, or a @<TRIPOS>MOLECULE line is missing.');
      current.ids.set(fields[0]!, current.z.length);
      current.z.push(atomicNumber(fields[5]!.split('.')[0]!, where));
      current.pos.push(...coordinates);
    } else if (section === 'BOND') {
      const [a, b] = [current.ids.get(fields[1] ?? ''), current.ids.get(fields[2] ?? '')];
      if (a === undefined || b === undefined) throw new InputError(where, `bond between atoms ${fields[1]} and ${fields[2]}, which the ATOM section does not define`);
      if (current.orders.length >= (current.counts?.[1] ?? 0)) throw new InputError(where, `more BOND lines than the ${current.counts?.[1] ?? 0} bonds the counts line announces`, 'The counts line is wrong, or a @<TRIPOS>MOLECULE line is missing.');
      const order = BOND_ORDERS[fields[3] ?? ''];
      if (order === undefined) throw new InputError(where, `bond type '${fields[3]}' is not one of 1, 2, 3, am, ar`);
      current.bonds.push(a, b);
      current.orders.push(order);
    }
  }
  yield* finish();
  if (index === 0) throw new InputError({ file }, 'no @<TRIPOS>MOLECULE records', 'Is this a MOL2 file?');
}
