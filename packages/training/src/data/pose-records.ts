import { basename, extname } from 'node:path';

import { InputError, readSdfRecords, type SdfRecord } from '@posepool/featurizers';

/** What the SD files say of one compound's poses, in the featurizer's pose order. */
export interface PoseRecords {
  /** Each pose's SD tags. */
  readonly tags: ReadonlyArray<Readonly<Record<string, string>>>;
  /** The first pose's molblock (for scaffolds). */
  readonly molblock: string;
  /** The records, in pose order. */
  readonly records: readonly SdfRecord[];
}

/**
 * Reads the SD tags and molblocks of a folder's pose files, grouped by compound id and ordered by
 * `pose_index` as `featurizeFolder` groups and orders them (MOL2 files carry no tags: skipped).
 *
 * @param files - the pose files `featurizeFolder` read
 * @returns per compound id, its poses' tags and first molblock
 * @example
 * ```ts
 * const records = await readPoseRecords(folder.files.poses);
 * records.get('lig_ejm_31')?.tags[0]?.pose_source; // 'reference'
 * ```
 */
export async function readPoseRecords(files: readonly string[]): Promise<Map<string, PoseRecords>> {
  const grouped = new Map<string, Array<{ index: number; record: SdfRecord }>>();
  for (const file of files) {
    if (/\.mol2$/i.test(file)) continue;
    for await (const record of readSdfRecords(file)) {
      if (record instanceof InputError) continue; // featurizeFolder has already reported or skipped it
      const id = record.tags.ligand_id ?? (files.length > 1 ? basename(file, extname(file)) : record.title);
      const poses = grouped.get(id) ?? [];
      poses.push({ index: record.tags.pose_index === undefined ? poses.length : Number(record.tags.pose_index), record });
      grouped.set(id, poses);
    }
  }
  return new Map(
    [...grouped].map(([id, poses]) => {
      poses.sort((a, b) => a.index - b.index);
      return [id, { tags: poses.map((p) => p.record.tags), molblock: poses[0]!.record.molblock, records: poses.map((p) => p.record) }];
    }),
  );
}
