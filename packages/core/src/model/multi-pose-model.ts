import * as tf from '@tensorflow/tfjs';

import { assertInDomain, describeComponent, poseWeightsOf, type Combination } from '../components/combination.js';
import { assertStepFits, disposeSharedStage, sharedStage, valueAndGrads, type GradientOptions, type CompoundGradients, type DecoupledModel } from '../engine/decoupled.js';
import { applyGradients } from '../engine/accumulator.js';
import type { Loss } from '../engine/losses.js';
import { PosePoolError } from '../errors.js';
import type { NamedVariables } from '../nn/module.js';
import { validatePose, type Compound, type Pose } from '../pose.js';
import { configOf } from '../registry/registry.js';
import type { Readout } from '../components/readout.js';
import { SinglePoseModel, type SinglePoseModelParts } from './single-pose-model.js';

/** The parts of a multi-pose model. */
export interface MultiPoseModelParts extends SinglePoseModelParts {
  /** Turns the N pose predictions into one. */
  combination: Combination;
  /** Applied to the combined prediction. */
  readout?: Readout;
}

/** Predictions for one compound. */
export interface CompoundPrediction {
  /** The combined prediction (after any combined readout). */
  combined: number;
  /** Each pose's prediction ŷ_i (after any per-pose readout). */
  poses: Float32Array;
  /** Each pose's weight w_i = ∂h/∂ŷ_i in the combination: which poses the prediction rests on. */
  weights: Float32Array;
}

/**
 * A multi-pose model: a single-pose {@link SinglePoseModel} scores every pose, a {@link Combination}
 * combines them, an optional readout maps the result. Training never keeps more than one pose
 * graph (see {@link GradientMode}).
 *
 * Readouts may apply per pose (`poseReadout`), after the combination (`readout`), or both.
 * Pitfall: a soft-min over ΔG picks the best pose, but the same soft-min over pIC50 (where
 * larger is better) picks the worst; combine energies and read out afterwards, or use
 * `smooth-max` on pIC50s.
 *
 * @example
 * ```ts
 * const model = new MultiPoseModel({ representation, strategy, combination: registry.create('combination', 'mean') });
 * const optimizer = tf.train.adam(1e-3);
 * const step = model.valueAndGrads(compound, squaredError(), { mode: 'auto' });
 * model.applyGradients(optimizer, step.grads);
 * tf.dispose(step.grads);
 * ```
 */
export class MultiPoseModel extends SinglePoseModel implements DecoupledModel {
  /** The combination. */
  readonly combination: Combination;
  /** The combined readout, if any. */
  readonly readout: Readout | undefined;

  /** @param parts - single-pose parts, combination and optional combined readout */
  constructor(parts: MultiPoseModelParts) {
    super(parts);
    this.combination = this.addModule('combination', parts.combination);
    this.readout = parts.readout === undefined ? undefined : this.addModule('readout', parts.readout);
    // The engine differentiates the pose path and the combined stage separately: a module in both would lose half its gradient.
    const posePath = new Set(this.namedParameters().filter(([path]) => !/^(combination|readout)\./.test(path)).map(([, p]) => p.variable));
    if (Object.values(this.combinedVariables()).some((v) => posePath.has(v))) {
      throw new PosePoolError('E_CONFIG', 'One module is used both per pose and after the combination (e.g. the same readout as poseReadout and readout); give each place its own instance.');
    }
    this.nameVariables();
  }

  /** The combination's name for messages: its registered name, else its class name. */
  get combinationName(): string {
    return describeComponent(this.combination, configOf(this.combination)?.name);
  }

  /** θ: every variable except the combination's and the combined readout's, keyed by parameter path. */
  poseVariables(): NamedVariables {
    const combined = new Set(Object.values(this.combinedVariables()));
    return Object.fromEntries(Object.entries(this.namedVariables()).filter(([, v]) => !combined.has(v)));
  }

  /** The combination's and the combined readout's variables, keyed by parameter path. */
  combinedVariables(): NamedVariables {
    return { ...this.combination.namedVariables('combination.'), ...this.readout?.namedVariables('readout.') };
  }

  /** Every trainable variable keyed by parameter path, in the order gradient maps list them. */
  trainableVariables(): NamedVariables {
    return Object.fromEntries(Object.entries(this.namedVariables()).filter(([, v]) => v.trainable));
  }

  /**
   * Applies gradients keyed by parameter path (a step's or an accumulator's) with any TF.js
   * optimizer; see {@link applyGradients}.
   *
   * @param optimizer - e.g. `tf.train.adam(1e-3)`
   * @param grads - gradients keyed by parameter path (not disposed)
   * @example
   * ```ts
   * model.applyGradients(optimizer, model.valueAndGrads(compound, squaredError()).grads);
   * ```
   */
  applyGradients(optimizer: tf.Optimizer, grads: tf.NamedTensorMap): void {
    applyGradients(optimizer, grads, this.trainableVariables());
  }

  /** Applies the combined readout, if any. */
  readoutCombined(h: tf.Scalar): tf.Scalar {
    return this.readout === undefined ? h : this.readout.apply(h);
  }

  /**
   * Predicts one compound: forward only, pose by pose, in constant memory, with each pose's
   * weight in the combination.
   *
   * @param compound - a compound or its poses
   * @returns the combined and per-pose predictions and the pose weights
   */
  predict(compound: Compound | readonly Pose[]): CompoundPrediction {
    const poses = 'poses' in compound ? compound.poses : compound;
    const id = 'id' in compound ? compound.id : '(poses)';
    if (poses.length === 0) throw new PosePoolError('E_INPUT', `Compound '${id}' has no poses.`);
    poses.forEach((pose, i) => validatePose(pose, `compound '${id}', pose ${i}`));
    assertStepFits(this, { id, poses }, 'predict', 0);
    const shared = sharedStage(this, poses);
    tf.dispose([...(shared?.kept ?? [])]); // no backward pass here
    let predictions: Float32Array;
    try {
      predictions = Float32Array.from(poses, (pose) => tf.tidy(() => this.forwardPose(pose, shared).dataSync()[0]!));
    } finally {
      disposeSharedStage(shared);
    }
    assertInDomain(this.combination, predictions, `Combination '${this.combinationName}', compound '${id}'`);
    return tf.tidy(() => {
      const y = tf.tensor1d(predictions);
      const combined = this.readoutCombined(this.combination.combine(y)).dataSync()[0]!;
      const weights = poseWeightsOf(this.combination, y, this.combinationName).dataSync() as Float32Array;
      return { combined, poses: predictions, weights };
    });
  }

  /**
   * The loss of one compound and its gradient for every trainable variable, with the pose
   * backward passes decoupled from the combination's.
   *
   * @param compound - the compound and its poses
   * @param loss - a loss on the combined and per-pose predictions
   * @param options - gradient mode (`auto` by default) and memory budget
   * @returns loss, predictions, gradients keyed by parameter path (yours to dispose) and the mode used
   */
  valueAndGrads(compound: Compound, loss: Loss, options?: GradientOptions): CompoundGradients {
    compound.poses.forEach((pose, i) => validatePose(pose, `compound '${compound.id}', pose ${i}`));
    return valueAndGrads(this, compound, loss, options);
  }
}
