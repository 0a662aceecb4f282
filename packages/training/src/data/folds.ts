import { InputError } from '@posepool/featurizers';

import { Random } from '../random.js';
import type { DatasetEntry } from './dataset.js';
import { compoundDates, scaffoldGroups } from './split.js';

/**
 * How compounds are dealt into cross-validation folds.
 *
 * @example
 * ```ts
 * FOLD_KINDS.includes('scaffold'); // true
 * ```
 */
export const FOLD_KINDS = ['random', 'scaffold', 'temporal'] as const;
/** One of {@link FOLD_KINDS}. */
export type FoldKind = (typeof FOLD_KINDS)[number];

/** Options of {@link assignFolds}. */
export interface FoldOptions {
  /** How many folds (ignored with `groupBy: 'folder'`: one fold per folder). */
  readonly folds: number;
  readonly kind: FoldKind;
  /** Seeds the random and scaffold assignment (the same seed gives the same folds). */
  readonly seed: number;
  /** `folder`: leave one folder (target) out per fold. */
  readonly groupBy?: 'folder';
  /** temporal: the CSV date column. @defaultValue 'date' */
  readonly dateColumn?: string;
  /** temporal: the CSV id column. */
  readonly idColumn?: string;
}

/** Deals groups of keys, largest first, each into the fold with the fewest compounds so far (the first such fold on ties). */
function deal(groups: readonly string[][], folds: string[][]): void {
  for (const group of [...groups].sort((a, b) => b.length - a.length)) {
    let smallest = 0;
    folds.forEach((fold, k) => (fold.length < folds[smallest]!.length ? (smallest = k) : undefined));
    folds[smallest]!.push(...group);
  }
}

/**
 * Assigns compounds to K cross-validation folds. Within each folder separately (so every target
 * is spread over the folds): `random` shuffles the compounds; `scaffold` shuffles the
 * Bemis–Murcko groups, then deals them largest first into the smallest fold (a scaffold group of a
 * folder never straddles two folds); `temporal` cuts the compounds, sorted by date, into K consecutive blocks
 * (fold 1 oldest). `groupBy: 'folder'` makes each folder one fold (leave one target out). The
 * same entries and seed always give the same folds.
 *
 * @param entries - the compounds
 * @param options - fold count, kind, seed, grouping
 * @returns compound keys per fold (each compound in exactly one fold)
 * @throws InputError when there are fewer compounds (or folders) than folds, or a date is missing
 * @example
 * ```ts
 * const folds = await assignFolds(entries, { folds: 5, kind: 'scaffold', seed: 1 });
 * ```
 */
export async function assignFolds(entries: readonly DatasetEntry[], options: FoldOptions): Promise<string[][]> {
  const folders = [...new Set(entries.map((e) => e.folder))];
  const keysOf = (folder: string): string[] => entries.filter((e) => e.folder === folder).map((e) => e.key);
  if (options.groupBy === 'folder') {
    if (folders.length < 2) throw new InputError({ file: folders.join(', ') }, `leave-one-folder-out needs at least 2 folders, got ${folders.length}`, 'Pass several dataset folders, or drop --group-by folder.');
    return folders.map(keysOf);
  }
  const k = options.folds;
  if (!Number.isInteger(k) || k < 2) throw new InputError({ file: '(cross-validation)' }, `${k} folds: need an integer of at least 2`, 'Use --folds 2 or more.');
  if (entries.length < k) throw new InputError({ file: folders.join(', ') }, `${entries.length} compounds cannot fill ${k} folds`, 'Use fewer folds, or add data.');
  const folds: string[][] = Array.from({ length: k }, () => []);
  const random = new Random(options.seed);
  if (options.kind === 'temporal') {
    const dates = await compoundDates(entries, options.dateColumn ?? 'date', options.idColumn);
    for (const folder of folders) {
      const sorted = keysOf(folder).sort((a, b) => dates.get(a)!.localeCompare(dates.get(b)!) || a.localeCompare(b));
      sorted.forEach((key, i) => folds[Math.floor((i * k) / sorted.length)]!.push(key));
    }
    return folds;
  }
  const scaffolds = options.kind === 'scaffold' ? await scaffoldGroups(entries) : undefined;
  for (const folder of folders) {
    const mine = new Set(keysOf(folder));
    const groups = scaffolds === undefined ? [...mine].map((key) => [key]) : [...scaffolds.values()].map((g) => g.filter((key) => mine.has(key))).filter((g) => g.length > 0);
    // The shuffle breaks ties between groups of equal size at random; the sort in deal() is stable.
    deal(random.shuffle(groups), folds);
  }
  return folds;
}
