import { readFile, stat } from 'node:fs/promises';

import { parse } from 'csv-parse/sync';

import { InputError } from '../errors.js';
import { assertTextFile } from '../readers/lines.js';
import { decimal, LIMITS } from '../readers/numbers.js';

/** One compound's measurement. */
export interface Affinity {
  readonly id: string;
  readonly value: number;
  /** `<` / `>` for censored values ("<5", ">9.5"). */
  readonly qualifier?: '<' | '>';
  /** Standard error, from the error column when one is named. */
  readonly error?: number;
  /** 1-based line of the row. */
  readonly line: number;
}

/** Options of {@link readAffinities}. */
export interface AffinityOptions {
  /** Column of the compound id. @defaultValue the first of ligand_id, compound_id, id, name */
  idColumn?: string;
  /** Column of the target value. @defaultValue the first of pIC50_or_pK, pIC50, pKi, pK, pKd, dG */
  targetColumn?: string;
  /** Column of the target's standard error, if any. */
  errorColumn?: string;
  /** `fail`: a malformed row throws; `skip`: it is left out and returned in `skipped`. @defaultValue 'fail' */
  onError?: 'fail' | 'skip';
}

/** The measurements of a CSV, and the rows left out under `onError: 'skip'`. */
export interface Affinities {
  /** One per well-formed row, in file order. */
  readonly rows: Affinity[];
  /** The malformed rows' errors (file, line, problem); empty under `onError: 'fail'`. */
  readonly skipped: InputError[];
}

/** The largest CSV of measurements read (whole, to parse quoted fields): 64 MiB, about a million rows. */
const MAX_CSV_BYTES = 64 * 1024 * 1024;

/**
 * The id columns a measurements CSV is searched for, in order, when none is named.
 *
 * @example
 * ```ts
 * const id = ID_COLUMNS.find((c) => header.includes(c));
 * ```
 */
export const ID_COLUMNS: readonly string[] = ['ligand_id', 'compound_id', 'id', 'name'];
const TARGET_COLUMNS = ['pIC50_or_pK', 'pIC50', 'pKi', 'pK', 'pKd', 'dG'];

function pick(columns: string[], wanted: string | undefined, defaults: readonly string[], what: string, file: string): string {
  if (wanted !== undefined) {
    if (!columns.includes(wanted)) throw new InputError({ file, line: 1 }, `no column '${wanted}' (the header has: ${columns.join(', ')})`, `Name the ${what} column that exists.`);
    return wanted;
  }
  const found = defaults.find((c) => columns.includes(c));
  if (found === undefined) throw new InputError({ file, line: 1 }, `no ${what} column (looked for ${defaults.join(', ')}; the header has: ${columns.join(', ')})`, `Pass the ${what} column's name.`);
  return found;
}

/**
 * Reads a CSV of measurements: one row per compound, an id column and a target column; values
 * may carry `<` or `>` (censored), which becomes `qualifier`. Duplicate ids and non-numeric
 * values are errors naming the line.
 *
 * @param file - the CSV path
 * @param options - which columns to use, and whether a malformed row throws or is skipped
 * @returns the measurements in file order, and the skipped rows
 * @throws InputError naming the file and line
 * @example
 * ```ts
 * const { rows, skipped } = await readAffinities('tyk2/affinities.csv', { targetColumn: 'pIC50_or_pK', onError: 'skip' });
 * ```
 */
export async function readAffinities(file: string, options: AffinityOptions = {}): Promise<Affinities> {
  await assertTextFile(file, 'CSV');
  const { size } = await stat(file);
  if (size > MAX_CSV_BYTES) throw new InputError({ file }, `the CSV has ${size} bytes, more than the ${MAX_CSV_BYTES} (64 MiB) read`, 'Is this the table of measurements? Keep one row per compound.');
  let rows: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    const text = await readFile(file, 'utf8');
    const nul = text.indexOf('\0');
    if (nul >= 0) throw new InputError({ file, line: text.slice(0, nul).split('\n').length }, 'holds binary data (a NUL byte), not text', 'Check the file: it may be damaged, padded or compressed.');
    rows = parse(text, { columns: true, skip_empty_lines: true, trim: true, info: true, bom: true });
  } catch (cause) {
    if (cause instanceof InputError) throw cause;
    const line = (cause as { lines?: number }).lines;
    throw new InputError({ file, ...(line !== undefined && { line }) }, `is not valid CSV (${(cause as Error).message})`);
  }
  if (rows.length === 0) throw new InputError({ file }, 'has a header but no rows');
  const columns = Object.keys(rows[0]!.record);
  const idColumn = pick(columns, options.idColumn, ID_COLUMNS, 'id', file);
  const targetColumn = pick(columns, options.targetColumn, TARGET_COLUMNS, 'target', file);
  const seen = new Map<string, number>();
  const out: Affinity[] = [];
  const skipped: InputError[] = [];
  for (const { record, info } of rows) {
    try {
      out.push(parseRow(record, info.lines));
    } catch (error) {
      if (options.onError !== 'skip' || !(error instanceof InputError)) throw error;
      skipped.push(error);
    }
  }
  return { rows: out, skipped };

  function parseRow(record: Record<string, string>, line: number): Affinity {
    const id = record[idColumn] ?? '';
    if (id === '') throw new InputError({ file, line }, `empty ${idColumn}`);
    if (seen.has(id)) throw new InputError({ file, line, record: id }, `duplicate id (first on line ${seen.get(id)})`);
    seen.set(id, line);
    const text = record[targetColumn] ?? '';
    const match = /^([<>])?\s*(.+)$/.exec(text);
    if (match === null) throw new InputError({ file, line, record: id }, `${targetColumn} '${text}' is not a number`, 'Write a number, optionally with < or > for censored values.');
    const value = decimal(match[2]!, { file, line, record: id }, targetColumn, LIMITS.measurement);
    const qualifier = match[1] as '<' | '>' | undefined;
    let error: number | undefined;
    if (options.errorColumn !== undefined) {
      const raw = record[options.errorColumn] ?? '';
      error = raw === '' ? undefined : decimal(raw, { file, line, record: id }, options.errorColumn, [0, LIMITS.measurement[1]]);
    }
    return { id, value, line, ...(qualifier && { qualifier }), ...(error !== undefined && { error }) };
  }
}
