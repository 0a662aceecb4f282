import type { Compound, Pose } from '@posepool/core';

import type { RunConfig } from '../config/schema.js';
import type { DatasetEntry } from '../data/dataset.js';
import { Random, seedOf } from '../random.js';

/** What {@link jitterCompound} draws from. */
export interface JitterOptions {
  /** σ of the Gaussian noise per coordinate, in Å (0: the compound itself). */
  readonly jitter: number;
  /** The run seed. */
  readonly seed: number;
  /** The 0-based epoch: a fresh draw each epoch. */
  readonly epoch: number;
  /** The compound's dataset key (`folder/id`), unique over a run's compounds. */
  readonly key: string;
}

/**
 * A compound with jittered coordinates: Gaussian noise of σ = `jitter` Å on each coordinate,
 * drawn from (`seed`, `epoch`, `key`) alone, so any thread and any resumed run draw the same.
 * Receptor atoms (`ligandMask` 0) get one displacement per receptor atom index for the whole
 * compound, the same in every pose, so poses that share their receptor still share it (and
 * SchNet still computes its receptor filters once per compound); ligand atoms get their own in
 * each pose. The poses are new objects with new `pos` arrays (the other arrays are shared, and
 * precomputed `graphs` are dropped: they belong to the old positions); the compound's target,
 * error and labels are kept. Nothing refers to the result once it is dropped, so caches keyed by
 * pose objects (neighbour graphs) do not grow from epoch to epoch.
 *
 * @param compound - the compound
 * @param options - σ, run seed, epoch and key
 * @returns the jittered compound (`compound` itself when `jitter` is 0)
 * @example
 * ```ts
 * const noisy = jitterCompound(entry.compound, { jitter: 0.1, seed: config.seed, epoch: 3, key: entry.key });
 * ```
 */
export function jitterCompound(compound: Compound, options: JitterOptions): Compound {
  const { jitter } = options;
  if (jitter === 0) return compound;
  const random = new Random(seedOf(options.seed, options.epoch, options.key));
  // Receptor first (as many displacements as the largest receptor of the compound), then each pose's ligand.
  const receptorAtoms = Math.max(...compound.poses.map((pose) => pose.ligandMask.reduce((n, m) => n + (m === 0 ? 1 : 0), 0)));
  const receptor = Float64Array.from({ length: 3 * receptorAtoms }, () => jitter * random.normal());
  const poses = compound.poses.map((pose): Pose => {
    const pos = new Float32Array(pose.pos.length);
    let r = 0;
    for (let atom = 0; atom < pose.ligandMask.length; atom++) {
      const fromReceptor = pose.ligandMask[atom] === 0;
      for (let c = 0; c < 3; c++) {
        const shift = fromReceptor ? receptor[3 * r + c]! : jitter * random.normal();
        pos[3 * atom + c] = pose.pos[3 * atom + c]! + shift;
      }
      if (fromReceptor) r += 1;
    }
    const { graphs: _, ...rest } = pose;
    return { ...rest, pos };
  });
  return { ...compound, poses };
}

/**
 * A training entry as one epoch sees it: its compound jittered by the run config's
 * `augment.jitter` (see {@link jitterCompound}), or the entry itself when jitter is off.
 *
 * @param entry - a training compound with its key
 * @param config - the run config's `augment` and `seed`
 * @param epoch - the 0-based epoch
 * @returns the entry to compute
 * @example
 * ```ts
 * compoundStep(model, augmentedEntry(entry, config, state.epoch), loss, options);
 * ```
 */
export function augmentedEntry<T extends Pick<DatasetEntry, 'compound' | 'key'>>(entry: T, config: Pick<RunConfig, 'augment' | 'seed'>, epoch: number): T {
  const { jitter } = config.augment;
  return jitter === 0 ? entry : { ...entry, compound: jitterCompound(entry.compound, { jitter, seed: config.seed, epoch, key: entry.key }) };
}
