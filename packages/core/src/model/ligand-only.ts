import * as tf from '@tensorflow/tfjs';

import type { Combination } from '../engine/combination.js';
import { PosePoolError } from '../errors.js';
import { Module } from '../module.js';
import type { Compound } from '../pose.js';
import { GroupedModel } from './model.js';
import type { Readout } from './readout.js';
import type { Representation } from './representation.js';
import { LigandOnlyStrategy } from './strategy.js';

/**
 * The combination of a compound scored once: h(ŷ) = ŷ for a single prediction. Ligand-only
 * models see the 2D graph, which all poses share, so they score one "pose" per compound.
 *
 * @example
 * ```ts
 * new SinglePrediction().combine(tf.tensor1d([7.1])); // 7.1
 * ```
 */
export class SinglePrediction extends Module implements Combination {
  combine(predictions: tf.Tensor1D): tf.Scalar {
    if (predictions.size !== 1) {
      throw new PosePoolError(
        'E_INPUT',
        `Combination 'single' takes one prediction per compound, got ${predictions.size}. Ligand-only models score the ligand graph once: pass ligandOnlyCompound(compound).`,
      );
    }
    return predictions.reshape([]) as tf.Scalar;
  }

  poseWeights(predictions: tf.Tensor1D): tf.Tensor1D {
    return tf.onesLike(predictions);
  }

  combineReference(predictions: readonly number[]): number {
    return predictions[0]!;
  }
}

/**
 * A compound reduced to its first pose, for ligand-only models (all poses share the ligand graph).
 *
 * @param compound - the compound
 * @returns the same compound with one pose (and the first value of each pose label)
 * @example
 * ```ts
 * ligandOnly.valueAndGrads(ligandOnlyCompound(compound), squaredError());
 * ```
 */
export function ligandOnlyCompound(compound: Compound): Compound {
  if (compound.poses.length === 0) throw new PosePoolError('E_INPUT', `Compound '${compound.id}' has no poses.`);
  return {
    ...compound,
    poses: compound.poses.slice(0, 1),
    ...(compound.poseLabels && { poseLabels: Object.fromEntries(Object.entries(compound.poseLabels).map(([k, v]) => [k, v.slice(0, 1)])) }),
  };
}

/**
 * A ligand-only model (mtenn's LigandOnlyModel): a representation of the ligand's atoms and
 * bonds, a linear head, an optional readout; one prediction per compound. It is a
 * {@link GroupedModel} with the `ligand-only` strategy and the `single` combination, so it
 * trains, saves and loads like any other.
 *
 * @param parts - the ligand representation (e.g. GAT), an optional readout and head seed
 * @returns the model
 * @example
 * ```ts
 * const model = createLigandOnlyModel({ representation: gat, readout: new PIC50Readout() });
 * model.predict(ligandOnlyCompound(compound));
 * ```
 */
export function createLigandOnlyModel(parts: { representation: Representation; readout?: Readout; seed?: number }): GroupedModel {
  return new GroupedModel({
    representation: { ligand: parts.representation },
    strategy: new LigandOnlyStrategy({ ligand: parts.representation.outputSize }, parts.seed === undefined ? {} : { seed: parts.seed }),
    combination: new SinglePrediction(),
    ...(parts.readout && { readout: parts.readout }),
  });
}
