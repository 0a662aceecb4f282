import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';

import { validatePose, type Compound } from '@posepool/core';
import { InputError, assemblePose, pocketResidues, readMmcif, readPdb } from '@posepool/featurizers';

import type { DataOptions } from './dataset.js';
import { readPoseRecords } from './pose-records.js';

/**
 * Whether a dataset folder has a CSV of measurements.
 *
 * @param dir - the folder
 * @returns true when it holds a `.csv` file
 * @example
 * ```ts
 * if (!(await hasMeasurements('screen'))) console.log('prediction only');
 * ```
 */
export async function hasMeasurements(dir: string): Promise<boolean> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  return entries.some((f) => extname(f).toLowerCase() === '.csv');
}

/**
 * Featurizes a folder without measurements (a protein or pocket PDB/mmCIF and SD files of poses)
 * into compounds without targets, as `featurizeFolder` assembles them (pocket residues within
 * the cutoff of any of the compound's poses, then the ligand; hydrogens dropped unless kept).
 * For prediction only.
 *
 * @param dir - the folder
 * @param options - the run config's `data` section (pocket cutoff, hydrogens)
 * @returns the compounds and the pose files read
 * @throws InputError naming the folder or file
 * @example
 * ```ts
 * const { compounds } = await featurizeUnmeasured('screen', resolveRunConfig({}).data);
 * ```
 */
export async function featurizeUnmeasured(dir: string, options: DataOptions): Promise<{ compounds: Compound[]; poses: string[] }> {
  const entries = await readdir(dir).catch(() => {
    throw new InputError({ file: dir }, 'folder not found');
  });
  const pick = (...exts: string[]): string[] => entries.filter((f) => exts.includes(extname(f).toLowerCase())).sort();
  const structures = pick('.pdb', '.ent', '.cif', '.mmcif');
  const protein = ['pocket.pdb', 'protein.pdb'].find((f) => structures.includes(f)) ?? (structures.length === 1 ? structures[0] : undefined);
  if (protein === undefined) throw new InputError({ file: dir }, structures.length === 0 ? 'no PDB or mmCIF file for the protein' : `several structure files (${structures.join(', ')}) and none named pocket.pdb or protein.pdb`, 'Keep one, or name it pocket.pdb.');
  const poses = pick('.sdf', '.sd').map((f) => join(dir, f));
  if (poses.length === 0) throw new InputError({ file: dir }, 'no ligand poses (*.sdf)');
  const structure = /\.(cif|mmcif)$/i.test(protein) ? await readMmcif(join(dir, protein)) : await readPdb(join(dir, protein));
  const compounds: Compound[] = [];
  for (const [id, { records }] of await readPoseRecords(poses)) {
    const residues = options.pocketCutoff === null ? undefined : pocketResidues(structure, records, options.pocketCutoff);
    compounds.push({
      id,
      poses: records.map((record, k) => {
        const pose = assemblePose(structure, record, { ...(residues && { residues }), keepHydrogens: options.keepHydrogens });
        validatePose(pose, `compound '${id}', pose ${k}`);
        return pose;
      }),
    });
  }
  return { compounds, poses };
}
