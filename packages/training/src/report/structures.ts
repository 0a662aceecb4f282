import { elementSymbol } from '@posepool/featurizers';
import type { Pose } from '@posepool/core';

import type { DatasetEntry } from '../data/dataset.js';

/**
 * A compound's structures as the model saw them (after pocket cropping and hydrogen removal),
 * as XYZ text for the report's viewer: each distinct pocket once, each pose's ligand.
 */
export interface CompoundStructures {
  /** Index into {@link ReportStructures.pockets}, per pose: the pocket that pose was scored in. */
  readonly pocketOf: readonly number[];
  /** Each pose's ligand atoms, XYZ text. */
  readonly ligands: readonly string[];
}

/** The structures of all compounds of a report; pockets shared by several poses or compounds are stored once. */
export interface ReportStructures {
  /** Distinct pockets, XYZ text. */
  readonly pockets: string[];
  /** By compound key (`folder/id`). */
  readonly compounds: Map<string, CompoundStructures>;
}

/** XYZ text of the atoms of `pose` whose ligand flag is `ligand`, positions rounded to 0.01 Å. */
function xyz(pose: Pose, ligand: 0 | 1): string {
  const lines: string[] = [];
  for (let i = 0; i < pose.z.length; i++) {
    if (pose.ligandMask[i] !== ligand) continue;
    const [x, y, z] = [0, 1, 2].map((k) => pose.pos[3 * i + k]!.toFixed(2));
    lines.push(`${elementSymbol(pose.z[i]!)} ${x} ${y} ${z}`);
  }
  return `${lines.length}\n\n${lines.join('\n')}\n`;
}

/**
 * Collects the pocket and ligand atoms of every pose of the compounds, for the report's 3D view.
 *
 * @param entries - the compounds, as loaded for training or evaluation
 * @returns XYZ texts, each pocket stored once
 * @example
 * ```ts
 * const { pockets, compounds } = reportStructures(dataset.entries);
 * compounds.get('tyk2/lig_ejm_31')?.ligands.length; // its number of poses
 * ```
 */
export function reportStructures(entries: readonly DatasetEntry[]): ReportStructures {
  const pockets: string[] = [];
  const pocketIndex = new Map<string, number>();
  const compounds = new Map<string, CompoundStructures>();
  for (const entry of entries) {
    const pocketOf = entry.compound.poses.map((pose) => {
      const text = xyz(pose, 0);
      if (!pocketIndex.has(text)) pocketIndex.set(text, pockets.push(text) - 1);
      return pocketIndex.get(text)!;
    });
    compounds.set(entry.key, { pocketOf, ligands: entry.compound.poses.map((pose) => xyz(pose, 1)) });
  }
  return { pockets, compounds };
}
