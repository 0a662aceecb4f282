import { atomicNumber } from '../elements.js';
import { InputError } from '../errors.js';
import { assertTextFile, lines } from './lines.js';
import { decimal, integer, LIMITS } from './numbers.js';

/** One molecule record of an SD file. */
export interface SdfRecord {
  /** The file it came from. */
  readonly file: string;
  /** 0-based position in the file. */
  readonly index: number;
  /** 1-based line where the record starts. */
  readonly line: number;
  /** First header line. */
  readonly title: string;
  /** Atomic numbers, in file order. */
  readonly z: Int32Array;
  /** Positions in Å, n × 3. */
  readonly pos: Float32Array;
  /** Formal charges. */
  readonly charges: Int32Array;
  /** Bonded atom pairs `[a0, b0, a1, b1, …]` (0-based). */
  readonly bonds: Int32Array;
  /** Bond orders as in the file (1, 2, 3; 4 = aromatic). */
  readonly bondOrders: Uint8Array;
  /** SD data items (`> <name>`), values trimmed. */
  readonly tags: Readonly<Record<string, string>>;
  /** The connection table up to `M  END`, for chemistry toolkits. */
  readonly molblock: string;
}

/** V2000 atom-block charge codes → formal charge. */
const V2000_CHARGES: Record<number, number> = { 1: 3, 2: 2, 3: 1, 5: -1, 6: -2, 7: -3 };

/** Lines of a V2000 properties block (`M  CHG`, `A  `, `V  `, `G  `, `S  SKP`) and blank lines. */
const PROPERTY_LINE = /^(?:[MAVG] {2}|S {2}SKP|\s*$)/;
const V2000_MAX = 999;
/** The most lines one record may have: a V3000 molecule of ~50 000 atoms with its data items. Keeps memory flat on a file that never says '$$$$'. */
const MAX_RECORD_LINES = 100_000;

interface Table {
  z: number[];
  pos: number[];
  charges: number[];
  bonds: number[];
  orders: number[];
}

function parseV2000(block: string[], first: number, file: string, record: string): Table {
  const at = (k: number) => ({ file, line: first + k, record });
  const counts = block[3]!;
  // Fixed columns: aaabbb… with 'V2000' in columns 35–39 when present. More than 999 atoms or
  // bonds cannot be written in V2000: such a line shifts every column.
  const stamp = counts.slice(34, 39).trim();
  if (!/^[ \d]{5}\d/.test(counts) || (stamp !== '' && stamp !== 'V2000')) {
    throw new InputError(at(3), `the counts line '${counts.trim()}' is not in the V2000 layout (atom and bond counts in columns 1–3 and 4–6, 'V2000' in columns 35–39)`, `V2000 holds at most ${V2000_MAX} atoms and bonds; write larger molecules as V3000.`);
  }
  const atoms = integer(counts.slice(0, 3), at(3), 'atom count', [0, V2000_MAX]);
  const bondCount = integer(counts.slice(3, 6), at(3), 'bond count', [0, V2000_MAX]);
  const end = block.findIndex((l) => l.startsWith('M  END'));
  if (4 + atoms + bondCount > end) {
    throw new InputError(at(3), `the counts line announces ${atoms} atoms and ${bondCount} bonds, but only ${end - 4} lines precede 'M  END'`, 'The record is truncated or its counts line is wrong.');
  }
  // An atom alias ('A  ') or group abbreviation ('G  ') line is followed by one line of text.
  const properties = block.slice(4 + atoms + bondCount, end);
  const stray = properties.findIndex((l, k) => !PROPERTY_LINE.test(l) && !/^[AG] {2}/.test(properties[k - 1] ?? ''));
  if (stray >= 0) {
    throw new InputError(at(4 + atoms + bondCount + stray), `the counts line announces ${atoms} atoms and ${bondCount} bonds, but more atom or bond lines follow`, 'The counts line is wrong: fix it, or write the molecule as V3000.');
  }
  const table: Table = { z: [], pos: [], charges: [], bonds: [], orders: [] };
  for (let a = 0; a < atoms; a++) {
    const line = block[4 + a]!;
    const where = at(4 + a);
    table.pos.push(...['x', 'y', 'z'].map((axis, k) => decimal(line.slice(10 * k, 10 * k + 10), where, `${axis} coordinate`, LIMITS.coordinate)));
    table.z.push(atomicNumber(line.slice(31, 34), where));
    const code = line.slice(36, 39);
    table.charges.push(code.trim() === '' ? 0 : (V2000_CHARGES[integer(code, where, 'charge code', [0, 7])] ?? 0));
  }
  for (let b = 0; b < bondCount; b++) {
    const line = block[4 + atoms + b]!;
    const where = at(4 + atoms + b);
    const [i, j] = [integer(line.slice(0, 3), where, 'bond atom'), integer(line.slice(3, 6), where, 'bond atom')];
    if (i < 1 || i > atoms || j < 1 || j > atoms) throw new InputError(where, `bond between atoms ${i} and ${j}, but the molecule has ${atoms} atoms`);
    table.bonds.push(i - 1, j - 1);
    table.orders.push(integer(line.slice(6, 9), where, 'bond type', [1, 8]));
  }
  // M  CHG lines replace the atom-block charges of every atom they name.
  const chargeLines = block.slice(4 + atoms + bondCount, end).map((l, k) => [l, k] as const).filter(([l]) => l.startsWith('M  CHG'));
  if (chargeLines.length > 0) table.charges.fill(0);
  for (const [line, k] of chargeLines) {
    const where = at(4 + atoms + bondCount + k);
    const texts = line.slice(6).trim().split(/\s+/);
    if (!texts.every((t) => /^[+-]?\d+$/.test(t))) throw new InputError(where, `malformed 'M  CHG' line`);
    const fields = texts.map((t, f) => (f > 0 && f % 2 === 0 ? integer(t, where, 'charge', LIMITS.charge) : Number(t)));
    for (let f = 1; f + 1 < fields.length; f += 2) {
      if (fields[f]! < 1 || fields[f]! > atoms) throw new InputError(where, `'M  CHG' names atom ${fields[f]}, but the molecule has ${atoms} atoms`);
      table.charges[fields[f]! - 1] = fields[f + 1]!;
    }
  }
  return table;
}

function parseV3000(block: string[], first: number, file: string, record: string): Table {
  const table: Table = { z: [], pos: [], charges: [], bonds: [], orders: [] };
  let section = '';
  let declared: [number, number] | undefined;
  block.forEach((line, k) => {
    if (!line.startsWith('M  V30 ')) return;
    const where = { file, line: first + k, record };
    const fields = line.slice(7).trim().split(/\s+/);
    if (fields[0] === 'BEGIN' || fields[0] === 'END') {
      section = fields[0] === 'BEGIN' ? fields[1]! : '';
    } else if (fields[0] === 'COUNTS') {
      declared = [integer(fields[1] ?? '', where, 'atom count', [0, 1e6]), integer(fields[2] ?? '', where, 'bond count', [0, 1e6])];
    } else if (section === 'ATOM') {
      table.z.push(atomicNumber(fields[1] ?? '', where));
      table.pos.push(...['x', 'y', 'z'].map((axis, c) => decimal(fields[2 + c] ?? '', where, `${axis} coordinate`, LIMITS.coordinate)));
      const charge = fields.find((f) => f.startsWith('CHG='));
      table.charges.push(charge === undefined ? 0 : integer(charge.slice(4), where, 'charge', LIMITS.charge));
    } else if (section === 'BOND') {
      table.orders.push(integer(fields[1] ?? '', where, 'bond type', [1, 10]));
      table.bonds.push(integer(fields[2] ?? '', where, 'bond atom') - 1, integer(fields[3] ?? '', where, 'bond atom') - 1);
    }
  });
  const where = { file, line: first + 3, record };
  if (declared === undefined) throw new InputError(where, "V3000 record without 'M  V30 COUNTS'");
  if (table.z.length !== declared[0] || table.orders.length !== declared[1]) {
    throw new InputError(where, `COUNTS announces ${declared[0]} atoms and ${declared[1]} bonds, the blocks hold ${table.z.length} and ${table.orders.length}`, 'The record is truncated or its COUNTS line is wrong.');
  }
  if (table.bonds.some((a) => a < 0 || a >= declared![0])) throw new InputError(where, 'a bond names an atom the molecule does not have');
  return table;
}

function parseRecord(block: string[], first: number, index: number, file: string): SdfRecord {
  const title = block[0]?.trim() ?? '';
  const record = title === '' ? `#${index + 1}` : title;
  const end = block.findIndex((l) => l.startsWith('M  END'));
  if (block.length < 4) throw new InputError({ file, line: first, record }, `record has ${block.length} lines; a molfile needs a 3-line header and a counts line`);
  if (end < 0) throw new InputError({ file, line: first, record }, "record without 'M  END'", 'The connection table is truncated.');
  const counts = block[3]!;
  const table = counts.includes('V3000') ? parseV3000(block.slice(0, end + 1), first, file, record) : parseV2000(block, first, file, record);
  if (table.z.length === 0) throw new InputError({ file, line: first + 3, record }, 'the molecule has no atoms');
  // After 'M  END' come only data items ('> <name>', value lines, a blank line). Anything else,
  // or a second 'M  END', is the next molecule: a '$$$$' line is missing.
  const merged = (k: number): InputError =>
    new InputError({ file, line: first + k, record }, `a second molecule starts inside this record (line ${first + k} is neither a data item nor a blank line)`, "A '$$$$' line is missing between two records; add it.");
  const tags: Record<string, string> = {};
  for (let k = end + 1; k < block.length; k++) {
    if (block[k]!.trim() === '') continue;
    if (!block[k]!.startsWith('>')) throw merged(k);
    const name = /^>.*<([^>]+)>/.exec(block[k]!)?.[1]; // '> DT12' (a field number, no name) is a data item too
    const value: string[] = [];
    while (k + 1 < block.length && block[k + 1]!.trim() !== '') {
      if (block[k + 1]!.startsWith('M  END')) throw merged(k + 1);
      value.push(block[++k]!);
    }
    if (name !== undefined) tags[name] = value.join('\n').trim();
  }
  return {
    file,
    index,
    line: first,
    title,
    z: Int32Array.from(table.z),
    pos: Float32Array.from(table.pos),
    charges: Int32Array.from(table.charges),
    bonds: Int32Array.from(table.bonds),
    bondOrders: Uint8Array.from(table.orders),
    tags,
    molblock: `${block.slice(0, end + 1).join('\n')}\n`,
  };
}

/**
 * Reads the records of an SD file like {@link readSdf}, but yields a malformed record's
 * {@link InputError} in its place and goes on with the next record (for `onError: 'skip'`).
 * File-level problems (missing, empty, binary) still throw.
 *
 * @param file - the path
 * @returns an async iterable of records and per-record errors
 * @example
 * ```ts
 * for await (const item of readSdfRecords('poses.sdf')) if (item instanceof InputError) report.push(item);
 * ```
 */
export async function* readSdfRecords(file: string): AsyncGenerator<SdfRecord | InputError> {
  await assertTextFile(file, 'SDF');
  let block: string[] = [];
  let first = 1;
  let index = 0;
  const parse = (): SdfRecord | InputError => {
    try {
      return parseRecord(block, first, index++, file);
    } catch (error) {
      if (error instanceof InputError) return error;
      throw error;
    }
  };
  for await (const [line, number] of lines(file)) {
    if (line.startsWith('$$$$')) {
      yield parse();
      block = [];
      first = number + 1;
      continue;
    }
    block.push(line);
    if (block.length > MAX_RECORD_LINES) {
      throw new InputError({ file, line: first }, `the record starting here runs past ${MAX_RECORD_LINES} lines without a '$$$$' line`, 'Is this an SD file? Records end with a line holding $$$$.');
    }
  }
  // A last record without its '$$$$' is accepted when complete (parseRecord checks for M  END).
  if (block.some((l) => l.trim() !== '')) yield parse();
  if (index === 0) throw new InputError({ file }, 'no molecule records', 'Is this an SD file?');
}

/**
 * Reads the records of an SD file (V2000 and V3000, any number of records, SD data items),
 * streamed: one record is held at a time, so memory does not grow with the file. Each record
 * is checked: counts against the blocks, numeric and finite coordinates, known elements, bonds
 * between existing atoms, `M  END` present. Hand-written (the format is line-oriented and
 * small); chemistry (aromaticity, hybridization) is RDKit's job.
 *
 * @param file - the path
 * @returns an async iterable of records
 * @throws InputError naming the file, line and record
 * @example
 * ```ts
 * for await (const record of readSdf('tyk2/poses.sdf')) console.log(record.tags.ligand_id);
 * ```
 */
export async function* readSdf(file: string): AsyncGenerator<SdfRecord> {
  for await (const item of readSdfRecords(file)) {
    if (item instanceof InputError) throw item;
    yield item;
  }
}
