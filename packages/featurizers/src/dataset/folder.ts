import { readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';

import { radiusGraph, radiusGraphKey, validatePose, type Compound, type Pose, type RadiusGraph, type RadiusGraphOptions } from '@posepool/core';

import { InputError } from '../errors.js';
import { fileSystemError } from '../fs-errors.js';
import { elementSymbol } from '../elements.js';
import { readMmcif } from '../readers/mmcif.js';
import { readMol2 } from '../readers/mol2.js';
import { decimal, integer, LIMITS } from '../readers/numbers.js';
import { readPdb } from '../readers/pdb.js';
import type { Structure } from '../readers/structure.js';
import { readSdfRecords, type SdfRecord } from '../readers/sdf.js';
import { CANONICAL_ATOM_FEATURES, ligandGraph } from '../chemistry/atom-features.js';
import { assemblePose, pocketResidues } from '../pose/assemble.js';
import { overlappingHetGroups } from '../pose/bound-ligands.js';
import { checkCompoundPoses } from '../pose/pose-checks.js';
import { readAffinities, type Affinity, type AffinityOptions } from './affinities.js';
import { cacheKey, readFolderCache, writeFolderCache } from './cache.js';

/** Options of {@link featurizeFolder}. */
export interface FolderOptions extends Omit<AffinityOptions, 'onError'> {
  /** `fail`: the first problem throws; `skip`: problems (bad rows and records, compounds that cannot be built) are listed in `skipped` and the rest loads. @defaultValue 'fail' */
  onError?: 'fail' | 'skip';
  /** Protein file in the folder. @defaultValue `pocket.pdb` if present, else `protein.pdb`, else the only PDB */
  protein?: string;
  /** Keep protein residues within this distance (Å) of any pose of the compound; `null` keeps all. @defaultValue 8 */
  pocketCutoff?: number | null;
  /** Keep hydrogen atoms. @defaultValue false */
  keepHydrogens?: boolean;
  /** SD tags to attach as per-pose labels. @defaultValue `vina_score` and `rmsd_to_reference` where every pose has them */
  poseLabels?: string[];
  /** Called after each compound with how many are done. */
  onProgress?: (done: number, total: number) => void;
  /**
   * `optional`: a folder without a CSV (compounds to predict) gives compounds without targets,
   * one per ligand id of the pose files, in the order they first appear.
   * @defaultValue 'required'
   */
  measurements?: 'required' | 'optional';
  /**
   * Attach DGL-LifeSci's 74 canonical atom features to the ligand atoms (protein rows are zero),
   * from RDKit, for 2D-graph models such as GAT. Needs `keepHydrogens: false`.
   * @defaultValue false
   */
  ligandFeatures?: boolean;
  /** Interaction graphs to precompute and store with every pose (what the models' `cutoff`/`maxNumNeighbors` will ask for). */
  graphs?: RadiusGraphOptions[];
  /**
   * Folder of the featurization cache: a result is stored under a hash of the input files'
   * contents and the options, and loaded instead of recomputed while both are unchanged.
   * No caching when absent.
   */
  cacheDir?: string;
}

/** An input left out under `onError: 'skip'`, and why. */
export interface SkippedItem {
  /** What was skipped: `compound 'x'`, `record #5`, … */
  readonly item: string;
  /** The error message (file, line, problem). */
  readonly reason: string;
}

/** What a compound's pose files say besides coordinates: each pose's SD tags, the first pose's molblock. */
export interface CompoundRecords {
  /** Each pose's SD data items, in pose order (empty for MOL2). */
  readonly tags: ReadonlyArray<Readonly<Record<string, string>>>;
  /** The first pose's molblock (for chemistry such as scaffolds). */
  readonly molblock: string;
}

/** The compounds of a folder and what was skipped. */
export interface FeaturizedFolder {
  readonly compounds: Compound[];
  /** Per compound id, its poses' SD tags and first molblock (pose filters, scaffolds). */
  readonly records: ReadonlyMap<string, CompoundRecords>;
  readonly skipped: SkippedItem[];
  /**
   * What was changed without failing, to tell the user: HETATM groups (co-crystallised ligands)
   * left out of the poses they overlap, a cache that could not be written.
   */
  readonly warnings: string[];
  /** The files read (no `affinities` for a folder without measurements). */
  readonly files: { readonly protein: string; readonly poses: readonly string[]; readonly affinities?: string };
  /** Whether the result came from the cache. */
  readonly fromCache: boolean;
}

const DEFAULT_LABELS = ['vina_score', 'rmsd_to_reference'];

async function layout(dir: string, options: FolderOptions): Promise<FeaturizedFolder['files']> {
  const entries = await readdir(dir).catch((error: unknown) => {
    if ((error as { code?: string }).code === 'ENOENT') throw new InputError({ file: dir }, 'folder not found', undefined, { cause: error });
    throw fileSystemError(dir, error, 'cannot list the folder');
  });
  const withExt = (...exts: string[]): string[] => entries.filter((f) => exts.includes(extname(f).toLowerCase())).sort();
  const pdbs = withExt('.pdb', '.ent', '.cif', '.mmcif');
  const sdfs = withExt('.sdf', '.sd', '.mol2');
  const csvs = withExt('.csv');
  const protein = options.protein ?? (pdbs.includes('pocket.pdb') ? 'pocket.pdb' : pdbs.includes('protein.pdb') ? 'protein.pdb' : pdbs.length === 1 ? pdbs[0] : undefined);
  if (protein === undefined) throw new InputError({ file: dir }, pdbs.length === 0 ? 'no PDB or mmCIF file for the protein' : `several structure files (${pdbs.join(', ')}) and none named pocket.pdb or protein.pdb`, 'Pass { protein: "<file>" }.');
  if (sdfs.length === 0) throw new InputError({ file: dir }, 'no ligand poses (*.sdf or *.mol2)');
  const files = { protein: join(dir, protein), poses: sdfs.map((f) => join(dir, f)) };
  if (csvs.length === 0 && options.measurements === 'optional') return files;
  if (csvs.length !== 1) throw new InputError({ file: dir }, csvs.length === 0 ? 'no CSV of measurements' : `several CSV files (${csvs.join(', ')})`, 'Keep one CSV of measurements per folder.');
  return { ...files, affinities: join(dir, csvs[0]!) };
}

/**
 * Featurizes a folder into compounds: a protein (or pocket) PDB, SD files of poses and a CSV of
 * measurements, as in the benchmark folders (one multi-pose SDF whose records carry `ligand_id`
 * and `pose_index`) or hand-made (one SDF per compound, named after it). Poses are grouped by
 * ligand id and ordered by `pose_index`; each pose is the pocket (whole residues within
 * `pocketCutoff` of any of the compound's poses) then the ligand, hydrogens dropped by default.
 *
 * Every problem names its file and line: malformed records, CSV ids without poses, poses
 * without a CSV row, duplicate poses. With `onError: 'skip'` they are listed in `skipped` and
 * nothing else is lost.
 *
 * @param dir - the folder
 * @param options - files, columns, cropping, hydrogens, labels, error policy, progress
 * @returns the compounds, what was skipped, and the files read
 * @throws InputError under `onError: 'fail'` (and for folder-level problems in any mode)
 * @example
 * ```ts
 * const { compounds, skipped } = await featurizeFolder('data/tyk2', { onError: 'skip' });
 * ```
 */
export async function featurizeFolder(dir: string, options: FolderOptions = {}): Promise<FeaturizedFolder> {
  const files = await layout(dir, options);
  if (options.cacheDir === undefined) return featurize(files, options);
  const { onProgress: _, cacheDir, ...resultOptions } = options;
  const key = await cacheKey([files.protein, ...files.poses, ...(files.affinities === undefined ? [] : [files.affinities])], resultOptions);
  const cached = await readFolderCache(cacheDir, key);
  if (cached !== undefined) {
    options.onProgress?.(cached.compounds.length, cached.compounds.length);
    return { ...cached, files };
  }
  const result = await featurize(files, options);
  try {
    await writeFolderCache(cacheDir, key, result);
  } catch (error) {
    // The featurization is done: keep it, and say why it was not cached.
    const reason = error instanceof InputError ? error.message : fileSystemError(cacheDir, error, 'cannot write the cache').message;
    return { ...result, warnings: [...result.warnings, `the result was not cached: ${reason}`] };
  }
  return result;
}

/** SD records (a malformed one yields its error) or MOL2 molecules (a malformed file yields one error under `skip`). */
async function* ligandRecords(file: string, skip: boolean): AsyncGenerator<SdfRecord | InputError> {
  if (!/\.mol2$/i.test(file)) {
    yield* readSdfRecords(file);
    return;
  }
  try {
    yield* readMol2(file, elementSymbol);
  } catch (error) {
    if (!skip || !(error instanceof InputError)) throw error;
    yield error;
  }
}

/** The canonical features of a compound's heavy ligand atoms, from its first record. */
async function ligandFeatureRows(record: SdfRecord, id: string, options: FolderOptions): Promise<{ z: Int32Array; rows: Float32Array }> {
  if (options.keepHydrogens === true) throw new InputError({ file: record.file, record: id }, 'ligandFeatures describe heavy atoms only', 'Use keepHydrogens: false with ligandFeatures.');
  const graph = await ligandGraph({ molblock: record.molblock }, { file: record.file, line: record.line, record: id });
  return { z: graph.z, rows: graph.features };
}

/** The pose with feature rows: zeros for the protein, the ligand's canonical features after. */
function withLigandFeatures(pose: Pose, features: { z: Int32Array; rows: Float32Array }, record: SdfRecord, id: string): Pose {
  const first = pose.ligandMask.indexOf(1);
  const ligandZ = pose.z.subarray(first);
  if (ligandZ.length !== features.z.length || ligandZ.some((z, k) => z !== features.z[k])) {
    throw new InputError({ file: record.file, line: record.line, record: id }, "RDKit's heavy atoms differ from the record's (atom order or count)", 'All poses of a compound must list the same atoms in the same order.');
  }
  const all = new Float32Array(pose.z.length * CANONICAL_ATOM_FEATURES);
  all.set(features.rows, first * CANONICAL_ATOM_FEATURES);
  return { ...pose, features: all, featureSize: CANONICAL_ATOM_FEATURES };
}

async function featurize(files: FeaturizedFolder['files'], options: FolderOptions): Promise<FeaturizedFolder> {
  const skip = options.onError === 'skip';
  const skipped: SkippedItem[] = [];
  const problem = (item: string, error: InputError): void => {
    if (!skip) throw error;
    skipped.push({ item, reason: error.message });
  };
  const protein: Structure = /\.(cif|mmcif)$/i.test(files.protein) ? await readMmcif(files.protein) : await readPdb(files.protein);
  const table = files.affinities === undefined ? undefined : await readAffinities(files.affinities, options);
  for (const error of table?.skipped ?? []) problem(`row at ${error.file}:${error.line ?? '?'}`, error);

  const posesById = new Map<string, Array<{ record: SdfRecord; poseIndex: number }>>();
  const onePerCompound = files.poses.length > 1;
  for (const file of files.poses) {
    for await (const item of ligandRecords(file, skip)) {
      if (item instanceof InputError) {
        problem(`record at ${item.file}:${item.line ?? '?'}`, item);
        continue;
      }
      const id = item.tags.ligand_id ?? (onePerCompound ? basename(file, extname(file)) : item.title);
      if (id === '') {
        problem(`record #${item.index + 1} of ${file}`, new InputError({ file, line: item.line }, 'record has no ligand_id tag and no title', 'Add a `> <ligand_id>` data item.'));
        continue;
      }
      const poses = posesById.get(id) ?? [];
      let poseIndex: number;
      try {
        poseIndex = item.tags.pose_index === undefined ? poses.length : integer(item.tags.pose_index, { file, line: item.line, record: id }, 'pose_index', [0, 1e6]);
      } catch (error) {
        problem(`record #${item.index + 1} of ${file}`, error as InputError);
        continue;
      }
      const twin = poses.find((p) => p.poseIndex === poseIndex);
      if (twin !== undefined) {
        problem(`record #${item.index + 1} of ${file}`, new InputError({ file, line: item.line, record: id }, `duplicate pose ${poseIndex} (first at line ${twin.record.line})`));
        continue;
      }
      poses.push({ record: item, poseIndex });
      posesById.set(id, poses);
    }
  }

  // Without measurements every ligand id is a compound to predict; with them, rows and poses must match.
  let wanted: Array<Pick<Affinity, 'id'> & Partial<Affinity>> = [...posesById.keys()].map((id) => ({ id }));
  if (table !== undefined) {
    const measured = new Set(table.rows.map((a) => a.id));
    for (const id of posesById.keys()) {
      if (!measured.has(id)) problem(`compound '${id}'`, new InputError({ file: files.affinities!, record: id }, `has poses in ${files.poses.length === 1 ? files.poses[0] : 'the SD files'} but no row`, 'Add its measurement or remove its poses.'));
    }
    wanted = table.rows.filter((a) => {
      if (posesById.has(a.id)) return true;
      problem(`compound '${a.id}'`, new InputError({ file: files.affinities!, line: a.line, record: a.id }, 'has a row but no poses in the SD files'));
      return false;
    });
  }

  const compounds: Compound[] = [];
  const sdRecords = new Map<string, CompoundRecords>();
  const boundBy = new Map<number, string[]>();
  for (const [done, affinity] of wanted.entries()) {
    const poses = posesById.get(affinity.id)!.sort((a, b) => a.poseIndex - b.poseIndex);
    const records = poses.map((p) => p.record);
    const bound = overlappingHetGroups(protein, records);
    let residues = options.pocketCutoff === null ? undefined : pocketResidues(protein, records, options.pocketCutoff ?? 8);
    if (bound.size > 0) {
      residues = new Set([...(residues ?? protein.residueLabels.keys())].filter((r) => !bound.has(r)));
      for (const r of bound) boundBy.set(r, [...(boundBy.get(r) ?? []), affinity.id]);
    }
    try {
      checkCompoundPoses(records, affinity.id, options.keepHydrogens === true);
      const features = options.ligandFeatures === true ? await ligandFeatureRows(records[0]!, affinity.id, options) : undefined;
      const assembled: Pose[] = records.map((record, k) => {
        const assembledPose = assemblePose(protein, record, { ...(residues && { residues }), keepHydrogens: options.keepHydrogens === true });
        const pose = features === undefined ? assembledPose : withLigandFeatures(assembledPose, features, record, affinity.id);
        try {
          validatePose(pose, `compound '${affinity.id}', pose ${poses[k]!.poseIndex}`);
        } catch (error) {
          // Point at the pose's own record and line.
          throw new InputError({ file: record.file, line: record.line, record: affinity.id }, (error as Error).message.replace(/\.$/, ''), undefined, { cause: error });
        }
        if (options.graphs === undefined || options.graphs.length === 0) return pose;
        const graphs: Record<string, RadiusGraph> = {};
        for (const graph of options.graphs) graphs[radiusGraphKey(graph)] = radiusGraph(pose.pos, graph);
        return { ...pose, graphs };
      });
      const labelNames = options.poseLabels ?? DEFAULT_LABELS.filter((name) => records.every((r) => r.tags[name] !== undefined));
      const poseLabels: Record<string, Float32Array> = {};
      for (const name of labelNames) {
        poseLabels[name] = Float32Array.from(records.map((r) => decimal(r.tags[name] ?? '(missing)', { file: r.file, line: r.line, record: affinity.id }, `pose label '${name}'`, LIMITS.measurement)));
      }
      sdRecords.set(affinity.id, { tags: records.map((r) => ({ ...r.tags })), molblock: records[0]!.molblock });
      compounds.push({
        id: affinity.id,
        poses: assembled,
        ...(affinity.value !== undefined && { target: affinity.value }),
        ...(affinity.qualifier && { targetQualifier: affinity.qualifier }),
        ...(affinity.error !== undefined && { targetError: affinity.error }),
        ...(labelNames.length > 0 && { poseLabels }),
      });
    } catch (error) {
      if (!(error instanceof Error) || !('code' in error) || (error as { code: string }).code !== 'E_INPUT') throw error;
      problem(`compound '${affinity.id}'`, error instanceof InputError ? error : new InputError({ file: records[0]!.file, line: records[0]!.line, record: affinity.id }, error.message));
    }
    options.onProgress?.(done + 1, wanted.length);
  }
  const warnings = [...boundBy].map(([r, ids]) => {
    const atoms = protein.residue.filter((residue, a) => residue === r && protein.z[a] !== 1).length;
    const which = `${ids.slice(0, 3).join(', ')}${ids.length > 3 ? `, … (${ids.length} in all)` : ''}`;
    return `${files.protein}: HETATM group '${protein.residueLabels[r]}' (${atoms} heavy atoms) overlaps the poses of ${ids.length === 1 ? 'compound' : 'compounds'} ${which} and was left out of them: it looks like a co-crystallised ligand. Remove it from the protein file to silence this (ions and cofactors are kept).`;
  });
  return { compounds, records: sdRecords, skipped, warnings, files, fromCache: false };
}
