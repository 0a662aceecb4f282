/**
 * Structure files to PosePool poses: PDB and SD readers, pocket cropping, and dataset folders to
 * compounds, with errors that name the file and line and a skip report.
 *
 * @example
 * ```ts
 * import { featurizeFolder } from '@posepool/featurizers';
 * const { compounds } = await featurizeFolder('data/tyk2');
 * ```
 *
 * @packageDocumentation
 */
export { CANONICAL_ATOM_FEATURES, CHEMISTRY_LIMITS, ligandGraph, loadRDKit, smilesPose, type LigandGraph } from './chemistry/atom-features.js';
export { withRDKit } from './chemistry/rdkit.js';
export { ID_COLUMNS, readAffinities, type Affinities, type Affinity, type AffinityOptions } from './dataset/affinities.js';
export { featurizeFolder, type CompoundRecords, type FeaturizedFolder, type FolderOptions, type SkippedItem } from './dataset/folder.js';
export { atomicNumber, elementSymbol } from './elements.js';
export { InputError, type InputLocation } from './errors.js';
export { assemblePose, pocketResidues, type LigandAtoms } from './pose/assemble.js';
export { KEPT_COFACTORS, OVERLAP_DISTANCE, overlappingHetGroups } from './pose/bound-ligands.js';
export { checkCompoundPoses } from './pose/pose-checks.js';
export { decimal, integer, LIMITS } from './readers/numbers.js';
export { assertTextFile, lines, MAX_LINE_BYTES, splitLines, type LineOptions } from './readers/lines.js';
export { fileSystemError } from './fs-errors.js';
export { readMmcif } from './readers/mmcif.js';
export { readMol2, toMolblock } from './readers/mol2.js';
export { readPdb } from './readers/pdb.js';
export { MAX_STRUCTURE_ATOMS, type Structure, type StructureOptions } from './readers/structure.js';
export { readSdf, readSdfRecords, type SdfRecord } from './readers/sdf.js';
