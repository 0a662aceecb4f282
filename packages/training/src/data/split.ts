import { readFile } from 'node:fs/promises';

import { ID_COLUMNS, InputError } from '@posepool/featurizers';
import { parse } from 'csv-parse/sync';

import type { RunConfig } from '../config/schema.js';
import { Random } from '../random.js';
import type { DatasetEntry } from './dataset.js';
import { murckoScaffold } from './scaffold.js';

/**
 * The subsets of a split.
 *
 * @example
 * ```ts
 * for (const name of SPLIT_NAMES) console.log(name, split[name].length);
 * ```
 */
export const SPLIT_NAMES = ['train', 'validation', 'test'] as const;
/** A subset's name. */
export type SplitName = (typeof SPLIT_NAMES)[number];
/** Compound keys (`folder/id`) per subset. */
export type Split = Record<SplitName, string[]>;

/** Cuts an ordered list of groups into train, validation, test by the fractions (groups stay whole). */
function fill(groups: string[][], total: number, options: RunConfig['split']): Split {
  const trainCut = (1 - options.validation - options.test) * total;
  const validationCut = (1 - options.test) * total;
  const split: Split = { train: [], validation: [], test: [] };
  for (const group of groups) {
    const taken = split.train.length;
    if (taken + group.length <= trainCut + 1e-9) split.train.push(...group);
    else if (taken + split.validation.length + group.length <= validationCut + 1e-9) split.validation.push(...group);
    else split.test.push(...group);
  }
  return split;
}

/**
 * Each compound's date from its folder's CSV column, for temporal splits.
 *
 * @param entries - the compounds
 * @param column - the CSV date column
 * @param idColumn - the CSV id column (default: the first known one the header has)
 * @returns dates by compound key
 * @throws InputError for a missing column or an empty date
 * @example
 * ```ts
 * const byKey = await compoundDates(entries, 'date');
 * ```
 */
export async function compoundDates(entries: readonly DatasetEntry[], column: string, idColumn: string | undefined): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const file of new Set(entries.map((e) => e.affinities))) {
    const rows = parse(await readFile(file, 'utf8'), { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Array<Record<string, string>>;
    const header = Object.keys(rows[0] ?? {});
    if (!header.includes(column)) throw new InputError({ file, line: 1 }, `no date column '${column}' for the temporal split (the header has: ${header.join(', ')})`, 'Set split.dateColumn or use another split.kind.');
    const id = idColumn ?? ID_COLUMNS.find((c) => header.includes(c))!;
    const folder = entries.find((e) => e.affinities === file)!.folder;
    rows.forEach((row, k) => {
      const date = row[column] ?? '';
      if (date === '') throw new InputError({ file, line: k + 2, record: row[id] }, `empty ${column}`, 'Give every compound a date (ISO 8601 sorts correctly).');
      out.set(`${folder}/${row[id]}`, date);
    });
  }
  return out;
}

/** Split from a file of `id,split` or `folder,id,split` rows. */
async function fromFile(entries: readonly DatasetEntry[], file: string): Promise<Split> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new InputError({ file }, 'split file not found', 'Fix split.file.');
  }
  const wanted = new Map<string, SplitName>();
  text.split(/\r?\n/).forEach((raw, k) => {
    const cells = raw.split(',').map((c) => c.trim());
    if (raw.trim() === '' || cells.at(-1) === 'split') return;
    const name = cells.at(-1) as SplitName;
    if (cells.length < 2 || cells.length > 3 || !SPLIT_NAMES.includes(name)) {
      throw new InputError({ file, line: k + 1 }, `'${raw}' is not 'id,split' or 'folder,id,split' with split one of ${SPLIT_NAMES.join(', ')}`);
    }
    wanted.set(cells.slice(0, -1).join('/'), name);
  });
  const split: Split = { train: [], validation: [], test: [] };
  for (const entry of entries) {
    const name = wanted.get(entry.key) ?? wanted.get(entry.compound.id);
    if (name === undefined) throw new InputError({ file, record: entry.compound.id }, `compound '${entry.key}' is not listed`, 'List every compound, or drop it from the data.');
    split[name].push(entry.key);
  }
  return split;
}

/**
 * Splits compounds into train, validation and test: `random` (seeded shuffle), `scaffold`
 * (Bemis–Murcko groups, largest first, as DeepChem's scaffold splitter; a group never straddles
 * two subsets), `temporal` (oldest train, newest test, by a CSV date column) or `file`.
 *
 * @param entries - the dataset
 * @param options - the run config's `split` section
 * @param seed - seeds the random split
 * @param idColumn - the CSV id column, for the temporal split
 * @returns compound keys per subset
 * @throws InputError for a missing date column or a bad split file
 * @example
 * ```ts
 * const split = await splitDataset(entries, config.split, config.seed);
 * ```
 */
export async function splitDataset(entries: readonly DatasetEntry[], options: RunConfig['split'], seed: number, idColumn?: string): Promise<Split> {
  const keys = entries.map((e) => e.key);
  if (options.kind === 'file') {
    if (options.file === undefined) throw new InputError({ file: '(run config)' }, "split.kind is 'file' but split.file is not set", 'Set split.file to a file of id,split rows.');
    return fromFile(entries, options.file);
  }
  if (options.validation + options.test >= 1) throw new InputError({ file: '(run config)' }, `split.validation + split.test is ${options.validation + options.test}, leaving no training compounds`, 'Make their sum below 1.');
  if (options.kind === 'random') return fill(new Random(seed).shuffle([...keys]).map((k) => [k]), keys.length, options);
  if (options.kind === 'temporal') {
    const byKey = await compoundDates(entries, options.dateColumn, idColumn);
    return fill([...keys].sort((a, b) => (byKey.get(a) ?? '').localeCompare(byKey.get(b) ?? '') || a.localeCompare(b)).map((k) => [k]), keys.length, options);
  }
  const groups = await scaffoldGroups(entries);
  const ordered = [...groups].sort(([a, x], [b, y]) => y.length - x.length || a.localeCompare(b)).map(([, group]) => group);
  return fill(ordered, keys.length, options);
}

/**
 * Groups compounds by Bemis–Murcko scaffold (of their first pose's molblock).
 *
 * @param entries - the compounds
 * @returns compound keys by scaffold SMILES, in first-seen order
 * @throws InputError when RDKit cannot read a molecule
 * @example
 * ```ts
 * const groups = await scaffoldGroups(entries); // Map { 'c1ccccc1' => ['tyk2/a', ...] }
 * ```
 */
export async function scaffoldGroups(entries: readonly DatasetEntry[]): Promise<Map<string, string[]>> {
  const groups = new Map<string, string[]>();
  for (const entry of entries) {
    const scaffold = await murckoScaffold(entry.molblock);
    if (scaffold === undefined) throw new InputError({ file: entry.affinities, record: entry.compound.id }, 'RDKit cannot read the first pose for its scaffold', 'Use a random split, or fix the pose file.');
    groups.set(scaffold, [...(groups.get(scaffold) ?? []), entry.key]);
  }
  return groups;
}
