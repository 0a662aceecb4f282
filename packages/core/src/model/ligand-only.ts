import { PosePoolError } from '../errors.js';
import type { Compound } from '../pose.js';
import { MultiPoseModel } from './multi-pose-model.js';
import type { Readout } from '../components/readout.js';
import type { Representation } from '../components/representation.js';
import { SinglePrediction } from '../standard/single-prediction.js';
import { LigandOnlyStrategy } from '../standard/strategies.js';

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
 * {@link MultiPoseModel} with the `ligand-only` strategy and the `single` combination, so it
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
export function createLigandOnlyModel(parts: { representation: Representation; readout?: Readout; seed?: number }): MultiPoseModel {
  return new MultiPoseModel({
    representation: { ligand: parts.representation },
    strategy: new LigandOnlyStrategy({ ligand: parts.representation.outputSize }, parts.seed === undefined ? {} : { seed: parts.seed }),
    combination: new SinglePrediction(),
    ...(parts.readout && { readout: parts.readout }),
  });
}
