import { basename, resolve } from 'node:path';

import type { Compound } from '@posepool/core';
import { InputError, featurizeFolder, type SkippedItem } from '@posepool/featurizers';

import type { RunConfig } from '../config/schema.js';

/** One compound of a dataset, with where it came from. */
export interface DatasetEntry {
  /** The compound (poses after the pose filter). */
  readonly compound: Compound;
  /** The folder's label: its base name, or its path where two folders share a base name. */
  readonly folder: string;
  /** `folder/id`: unique over all folders. */
  readonly key: string;
  /** Each kept pose's SD tags. */
  readonly tags: ReadonlyArray<Readonly<Record<string, string>>>;
  /** The first pose's molblock (empty for MOL2 input). */
  readonly molblock: string;
  /** The folder's measurement CSV (`''` for a folder without one). */
  readonly affinities: string;
}

/** The compounds of one or several folders. */
export interface Dataset {
  readonly entries: DatasetEntry[];
  /** Compounds left out (every pose filtered out), and why. */
  readonly skipped: SkippedItem[];
  /** What the featurizer reported without refusing anything (protein groups dropped, a cache not written), by folder. */
  readonly warnings: string[];
}

/** Options of {@link loadDataset}. */
export type DataOptions = Pick<RunConfig['data'], 'targetColumn' | 'idColumn' | 'errorColumn' | 'pocketCutoff' | 'protein' | 'keepHydrogens' | 'cacheDir' | 'poseFilter' | 'topPoses'> & Partial<Pick<RunConfig['data'], 'ligandFeatures'>>;

/** Which of a compound's poses pass the filter, in order. */
function keptPoses(tags: ReadonlyArray<Readonly<Record<string, string>>>, options: DataOptions): number[] {
  let kept = tags.map((_, i) => i);
  const filter = options.poseFilter;
  if (filter !== null) kept = kept.filter((i) => filter.values.includes(tags[i]![filter.tag] ?? ''));
  const top = options.topPoses;
  if (top !== null) {
    const value = (i: number): number => {
      const v = Number(tags[i]![top.tag] ?? NaN);
      return Number.isFinite(v) ? (top.order === 'ascending' ? v : -v) : Infinity;
    };
    kept = [...kept].sort((a, b) => value(a) - value(b) || a - b).slice(0, top.k).sort((a, b) => a - b);
  }
  return kept;
}

/** The compound with only the poses at `kept` (and their pose labels). */
function subset(compound: Compound, kept: number[]): Compound {
  if (kept.length === compound.poses.length) return compound;
  const poseLabels = compound.poseLabels && Object.fromEntries(Object.entries(compound.poseLabels).map(([name, values]) => [name, Float32Array.from(kept, (i) => values[i]!)]));
  return { ...compound, poses: kept.map((i) => compound.poses[i]!), ...(poseLabels && { poseLabels }) };
}

/**
 * Loads dataset folders into compounds that remember their folder, applying the pose filter
 * (an SD tag's values, the top k poses by a numeric tag).
 *
 * @param folders - dataset folders
 * @param options - the run config's `data` section
 * @param onProgress - called with the folder and compounds done
 * @param measurements - `optional`: a folder without a CSV loads as compounds without targets (for prediction)
 * @returns every compound with its folder, tags and molblock
 * @throws InputError naming the file and line of the first bad input
 * @example
 * ```ts
 * const { entries } = await loadDataset(['examples/data/tyk2'], resolveRunConfig({}).data);
 * ```
 */
export async function loadDataset(
  folders: readonly string[],
  options: DataOptions,
  onProgress?: (folder: string, done: number, total: number) => void,
  measurements: 'required' | 'optional' = 'required',
): Promise<Dataset> {
  if (folders.length === 0) throw new InputError({ file: '(no data folder)' }, 'no dataset folder given', 'Pass DATA folders or set data.folders in the run config.');
  const names = folders.map((f) => basename(resolve(f)));
  const entries: DatasetEntry[] = [];
  const skipped: SkippedItem[] = [];
  const warnings: string[] = [];
  for (const [k, dir] of folders.entries()) {
    const folder = names.filter((n) => n === names[k]).length > 1 ? dir : names[k]!;
    const { compounds, files, records, warnings: notes } = await featurizeFolder(dir, {
      measurements,
      pocketCutoff: options.pocketCutoff,
      ...(options.protein !== null && { protein: options.protein }),
      keepHydrogens: options.keepHydrogens,
      ...(options.ligandFeatures === true && { ligandFeatures: true }),
      ...(options.cacheDir !== null && { cacheDir: options.cacheDir }),
      ...(options.targetColumn !== undefined && { targetColumn: options.targetColumn }),
      ...(options.idColumn !== undefined && { idColumn: options.idColumn }),
      ...(options.errorColumn !== undefined && { errorColumn: options.errorColumn }),
      ...(onProgress && { onProgress: (done: number, total: number) => onProgress(folder, done, total) }),
    });
    warnings.push(...notes.map((note) => `${folder}: ${note}`));
    for (const compound of compounds) {
      const record = records.get(compound.id);
      const tags = record?.tags.length === compound.poses.length ? record.tags : compound.poses.map(() => ({}));
      const kept = keptPoses(tags, options);
      if (kept.length === 0) {
        skipped.push({ item: `compound '${compound.id}' of ${folder}`, reason: 'no pose passes the pose filter' });
        continue;
      }
      entries.push({ compound: subset(compound, kept), folder, key: `${folder}/${compound.id}`, tags: kept.map((i) => tags[i]!), molblock: record?.molblock ?? '', affinities: files.affinities ?? '' });
    }
  }
  if (entries.length === 0) throw new InputError({ file: folders.join(', ') }, 'no compound left to use', skipped.length > 0 ? 'Loosen data.poseFilter or data.topPoses.' : undefined);
  return { entries, skipped, warnings };
}

/**
 * Entries whose compounds carry each of `labels` as a per-pose label (`compound.poseLabels`),
 * read from the kept poses' SD tags where the featurizer did not attach it (it attaches
 * `vina_score` and `rmsd_to_reference`). A compound gets a label only when every one of its poses
 * has the tag as a finite number; the others stay without it.
 *
 * @param entries - dataset entries with their poses' tags
 * @param labels - SD tags the loss reads per pose
 * @returns the entries, new objects only where a label was added
 * @example
 * ```ts
 * const labelled = withPoseLabels(dataset.entries, ['pose_rmsd']);
 * ```
 */
export function withPoseLabels(entries: readonly DatasetEntry[], labels: readonly string[]): DatasetEntry[] {
  return entries.map((entry) => {
    const added: Record<string, Float32Array> = {};
    for (const label of labels) {
      if (entry.compound.poseLabels?.[label] !== undefined || entry.tags.length !== entry.compound.poses.length) continue;
      const values = entry.tags.map((tags) => (tags[label] === undefined || tags[label].trim() === '' ? NaN : Number(tags[label])));
      if (values.every(Number.isFinite)) added[label] = Float32Array.from(values);
    }
    if (Object.keys(added).length === 0) return entry;
    return { ...entry, compound: { ...entry.compound, poseLabels: { ...entry.compound.poseLabels, ...added } } };
  });
}
