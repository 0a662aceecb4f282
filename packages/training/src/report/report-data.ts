import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { PosePoolError } from '@posepool/core';
import { parse } from 'csv-parse/sync';

import type { DatasetEntry } from '../data/dataset.js';
import { RUN_FILES } from '../run/run-directory.js';
import { metricsTable, type MetricsTable } from './metrics-table.js';
import { reportStructures, type CompoundStructures } from './structures.js';

/** One pose of a compound in the report: `predictions.csv`'s pose columns. */
export interface ReportPose {
  /** The `pose` column (the `pose_index` SD tag, else the position). */
  readonly pose: string;
  /** ŷ_i. */
  readonly prediction: number;
  /** w_i. */
  readonly weight: number;
  /** The pose's SD tags and the further `predictions.csv` columns that vary between poses, by name. */
  readonly columns: Readonly<Record<string, string>>;
}

/** One compound in the report. */
export interface ReportCompound {
  readonly folder: string;
  readonly id: string;
  readonly split: string | null;
  readonly measured: number | null;
  /** The combined prediction ŷ. */
  readonly predicted: number;
  /** Further `predictions.csv` columns with one value per compound (e.g. an ensemble's spread), by name. */
  readonly columns: Readonly<Record<string, string>>;
  readonly poses: readonly ReportPose[];
  /** Its structures, when the data given has this compound with as many poses. */
  readonly structures: CompoundStructures | null;
}

/** Everything a report shows, read from a run, evaluation or cross-validation directory. */
export interface ReportData {
  readonly title: string;
  readonly metrics: MetricsTable;
  /** `plots/*.svg`, by file name, sorted. */
  readonly plots: ReadonlyArray<{ readonly name: string; readonly svg: string }>;
  readonly compounds: readonly ReportCompound[];
  /** Distinct pockets (XYZ), which {@link CompoundStructures.pocketOf} indexes. */
  readonly pockets: readonly string[];
  /** `config.yaml`, where the directory has one. */
  readonly config: string | null;
}

const COMPOUND_COLUMNS = ['folder', 'id', 'split', 'measured', 'predicted'];
const POSE_COLUMNS = ['pose', 'pose_prediction', 'pose_weight'];

async function readRequired(dir: string, name: string): Promise<string> {
  return readFile(join(dir, name), 'utf8').catch((error: unknown) => {
    throw new PosePoolError('E_RUN_DIR', `${join(dir, name)}: cannot read it (${(error as Error).message}). A report needs the ${RUN_FILES.metrics} and ${RUN_FILES.predictions} that 'posepool train' or 'posepool evaluate' writes.`, { cause: error });
  });
}

/** A number as `String(number)` wrote it (`NaN` included: a prediction that failed shows as such). */
function number(text: string | undefined, file: string, line: number, column: string): number {
  const value = Number(text);
  if (text === undefined || text.trim() === '' || (Number.isNaN(value) && text.trim() !== 'NaN')) throw new PosePoolError('E_RUN_DIR', `${file}:${line}: ${column} '${text ?? ''}' is not a number.`);
  return value;
}

/** Groups `predictions.csv`'s rows (one per pose) into compounds, in file order; a cross-validation's repeats are separate rows (its `repeat` column). */
function readPredictions(text: string, file: string): Array<Omit<ReportCompound, 'structures'>> {
  let records: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, info: true });
  } catch (error) {
    throw new PosePoolError('E_RUN_DIR', `${file}: not valid CSV (${(error as Error).message}).`, { cause: error });
  }
  const compounds = new Map<string, Omit<ReportCompound, 'structures'> & { poses: ReportPose[] }>();
  records.forEach(({ record, info: { lines: line } }) => {
    const key = `${record.folder}\u0000${record.id}\u0000${record.repeat ?? ''}`;
    let compound = compounds.get(key);
    if (compound === undefined) {
      const measured = record.measured === undefined || record.measured === '' ? null : number(record.measured, file, line, 'measured');
      compound = { folder: record.folder ?? '', id: record.id ?? '', split: record.split || null, measured, predicted: number(record.predicted, file, line, 'predicted'), columns: {}, poses: [] };
      compounds.set(key, compound);
    }
    const columns = Object.fromEntries(Object.entries(record).filter(([name]) => !COMPOUND_COLUMNS.includes(name) && !POSE_COLUMNS.includes(name)));
    compound.poses.push({ pose: record.pose ?? String(compound.poses.length), prediction: number(record.pose_prediction, file, line, 'pose_prediction'), weight: number(record.pose_weight, file, line, 'pose_weight'), columns });
  });
  // A further column with one value per compound throughout belongs to the compound, not its poses.
  const all = [...compounds.values()];
  const extra = Object.keys(records[0]?.record ?? {}).filter((name) => !COMPOUND_COLUMNS.includes(name) && !POSE_COLUMNS.includes(name));
  const perCompound = extra.filter((name) => all.every((c) => c.poses.every((p) => p.columns[name] === c.poses[0]!.columns[name])));
  return all.map((c) => ({
    ...c,
    columns: Object.fromEntries(perCompound.map((name) => [name, c.poses[0]!.columns[name] ?? ''])),
    poses: c.poses.map((p) => ({ ...p, columns: Object.fromEntries(Object.entries(p.columns).filter(([name]) => !perCompound.includes(name))) })),
  }));
}

/** The plots' SVG files, sorted by name (none when there is no `plots/`). */
async function readPlots(dir: string): Promise<Array<{ name: string; svg: string }>> {
  const names = (await readdir(join(dir, RUN_FILES.plots)).catch(() => [] as string[])).filter((n) => n.endsWith('.svg')).sort();
  return Promise.all(names.map(async (name) => ({ name, svg: await readFile(join(dir, RUN_FILES.plots, name), 'utf8') })));
}

/**
 * Reads what a report shows from a directory's files — `metrics.json`, `predictions.csv`,
 * `plots/*.svg`, `config.yaml` if any — and takes each compound's pocket and pose atoms from the
 * data it was computed on, with the poses' SD tags.
 *
 * @param dir - a run, evaluation or cross-validation directory
 * @param entries - the compounds its predictions were made for (those missing get no 3D view)
 * @param title - the report's title
 * @returns the report's content
 * @throws PosePoolError `E_RUN_DIR` when `metrics.json` or `predictions.csv` is missing or malformed
 * @example
 * ```ts
 * const data = await readReportData('runs/tyk2', dataset.entries, 'tyk2 run');
 * data.metrics.rows[0]?.label;
 * ```
 */
export async function readReportData(dir: string, entries: readonly DatasetEntry[], title: string): Promise<ReportData> {
  const metricsFile = join(dir, RUN_FILES.metrics);
  let metrics: unknown;
  try {
    metrics = JSON.parse(await readRequired(dir, RUN_FILES.metrics));
  } catch (error) {
    if (error instanceof PosePoolError) throw error;
    throw new PosePoolError('E_RUN_DIR', `${metricsFile}: not JSON (${(error as Error).message}).`, { cause: error });
  }
  const predictions = readPredictions(await readRequired(dir, RUN_FILES.predictions), join(dir, RUN_FILES.predictions));
  const keyOf = (folder: string, id: string): string => `${folder}\u0000${id}`;
  const wanted = new Set(predictions.map((p) => keyOf(p.folder, p.id)));
  const shown = entries.filter((e) => wanted.has(keyOf(e.folder, e.compound.id)));
  const byKey = new Map(shown.map((e) => [keyOf(e.folder, e.compound.id), e]));
  const { pockets, compounds: structures } = reportStructures(shown);
  const compounds = predictions.map((p): ReportCompound => {
    const entry = byKey.get(keyOf(p.folder, p.id));
    const found = entry === undefined ? undefined : structures.get(entry.key);
    const matches = entry !== undefined && found !== undefined && found.ligands.length === p.poses.length;
    // SD tags that repeat the row's compound id or pose label are left out.
    const tags = (i: number, pose: ReportPose): Record<string, string> =>
      Object.fromEntries(Object.entries(entry!.tags[i] ?? {}).filter(([name, value]) => value !== p.id && !(name === 'pose_index' && value === pose.pose)));
    const poses = matches ? p.poses.map((pose, i) => ({ ...pose, columns: { ...tags(i, pose), ...pose.columns } })) : p.poses;
    return { ...p, poses, structures: matches ? found : null };
  });
  const config = await readFile(join(dir, RUN_FILES.config), 'utf8').catch(() => null);
  return { title, metrics: metricsTable(metrics), plots: await readPlots(dir), compounds, pockets, config };
}
