import * as tf from '@tensorflow/tfjs';

import { describeComponent, type Combination } from '../components/combination.js';
import { computeGradients, type GradientOptions, type GroupGradients, type MultiPoseModel } from '../engine/decoupled.js';
import type { Loss } from '../engine/losses.js';
import { PosePoolError } from '../errors.js';
import { Module, ModuleGroup } from '../nn/module.js';
import { posePart, validatePose, type Compound, type Pose, type PosePart } from '../pose.js';
import { configOf } from '../registry/registry.js';
import type { Readout } from '../components/readout.js';
import type { Representation } from '../components/representation.js';
import type { Strategy } from '../components/strategy.js';

/** Representations per part: one shared by every part, or one per part (a split model). */
export type Representations = Representation | Partial<Record<PosePart, Representation>>;

/** The parts of a single-pose model. */
export interface ModelParts {
  /** The representation, shared by every part, or one per part (mtenn's SplitModel). */
  representation: Representations;
  /** Turns part representations into a prediction. */
  strategy: Strategy;
  /** Applied to each pose's prediction (before any combination). */
  poseReadout?: Readout;
}

function isRepresentation(r: Representations): r is Representation {
  return typeof (r as Representation).represent === 'function';
}

/**
 * The representations' output sizes per part, for sizing a strategy.
 *
 * @param representation - shared or per part
 * @returns output size per part that has a representation
 * @example
 * ```ts
 * new DeltaStrategy(representationSizes(representation));
 * ```
 */
export function representationSizes(representation: Representations): Partial<Record<PosePart, number>> {
  if (isRepresentation(representation)) {
    const n = representation.outputSize;
    return { complex: n, protein: n, ligand: n };
  }
  return Object.fromEntries(Object.entries(representation).map(([part, r]) => [part, r!.outputSize]));
}

/**
 * A single-pose model f(X; θ): representation → strategy → optional readout, as in mtenn.
 * Its parameters are named `representation.*` (or `representations.<part>.*`), `strategy.*`,
 * `pose_readout.*`.
 *
 * @example
 * ```ts
 * const model = new Model({ representation, strategy: new ComplexOnlyStrategy({ complex: representation.outputSize }) });
 * const prediction = model.forwardPose(pose); // tf.Scalar
 * ```
 */
export class Model extends Module {
  readonly #representationFor: Partial<Record<PosePart, Representation>>;
  /** Whether one representation serves every part (else one per part, a split model). */
  readonly sharedRepresentation: boolean;
  /** The strategy. */
  readonly strategy: Strategy;
  /** The per-pose readout, if any. */
  readonly poseReadout: Readout | undefined;

  /** @param parts - representation(s), strategy and optional per-pose readout */
  constructor(parts: ModelParts) {
    super();
    const { representation, strategy } = parts;
    this.sharedRepresentation = isRepresentation(representation);
    if (isRepresentation(representation)) {
      this.addModule('representation', representation);
      this.#representationFor = { complex: representation, protein: representation, ligand: representation };
    } else {
      const holder = this.addModule('representations', new ModuleGroup());
      const added = new Set<Representation>();
      for (const [part, r] of Object.entries(representation)) {
        if (!added.has(r!)) holder.add(part, r!);
        added.add(r!);
      }
      this.#representationFor = representation;
    }
    const missing = strategy.parts.filter((part) => this.#representationFor[part] === undefined);
    if (missing.length > 0) {
      throw new PosePoolError('E_CONFIG', `Strategy '${describeComponent(strategy, configOf(strategy)?.name)}' needs representations of ${missing.join(', ')}, which the model does not have.`);
    }
    this.strategy = this.addModule('strategy', strategy);
    this.poseReadout = parts.poseReadout === undefined ? undefined : this.addModule('pose_readout', parts.poseReadout);
  }

  /** The representation used for `part`, if any. */
  representationFor(part: PosePart): Representation | undefined {
    return this.#representationFor[part];
  }

  /**
   * ŷ = f(X; θ) for one pose.
   *
   * @param pose - the pose
   * @returns its prediction, a scalar
   */
  forwardPose(pose: Pose): tf.Scalar {
    return tf.tidy(() => {
      const reps: Partial<Record<PosePart, tf.Tensor1D>> = {};
      for (const part of this.strategy.parts) reps[part] = this.#representationFor[part]!.represent(posePart(pose, part));
      const y = this.strategy.apply(reps);
      return this.poseReadout === undefined ? y : this.poseReadout.apply(y);
    });
  }
}

/** The parts of a multi-pose model. */
export interface GroupedModelParts extends ModelParts {
  /** Turns the N pose predictions into one. */
  combination: Combination;
  /** Applied to the combined prediction. */
  readout?: Readout;
}

/** Predictions for one compound. */
export interface GroupPrediction {
  /** The combined prediction (after any combined readout). */
  combined: number;
  /** Each pose's prediction (after any per-pose readout). */
  poses: Float32Array;
}

/**
 * A multi-pose model: a single-pose {@link Model} scores every pose, a {@link Combination}
 * combines them, an optional readout maps the result. Training never keeps more than one pose
 * graph (see {@link GradientMode}).
 *
 * Readouts may apply per pose (`poseReadout`), after the combination (`readout`), or both.
 * Pitfall: a soft-min over ΔG picks the best pose, but the same soft-min over pIC50 (where
 * larger is better) picks the worst; combine energies and read out afterwards, or use `max`
 * with `negate: false` on pIC50s.
 *
 * @example
 * ```ts
 * const model = new GroupedModel({ representation, strategy, combination: registry.create('combination', 'mean') });
 * const optimizer = tf.train.adam(1e-3);
 * const step = model.valueAndGrads(compound, squaredError(), { mode: 'auto' });
 * optimizer.applyGradients(step.grads);
 * tf.dispose(step.grads);
 * ```
 */
export class GroupedModel extends Model implements MultiPoseModel {
  /** The combination. */
  readonly combination: Combination;
  /** The combined readout, if any. */
  readonly readout: Readout | undefined;

  /** @param parts - single-pose parts, combination and optional combined readout */
  constructor(parts: GroupedModelParts) {
    super(parts);
    this.combination = this.addModule('combination', parts.combination);
    this.readout = parts.readout === undefined ? undefined : this.addModule('readout', parts.readout);
    // The engine differentiates the pose path and the head separately: a module in both would lose half its gradient.
    const posePath = new Set(this.namedParameters().filter(([path]) => !/^(combination|readout)\./.test(path)).map(([, p]) => p.variable));
    if (this.headVariables().some((v) => posePath.has(v))) {
      throw new PosePoolError('E_CONFIG', 'One module is used both per pose and after the combination (e.g. the same readout as poseReadout and readout); give each place its own instance.');
    }
    this.nameVariables();
  }

  /** The combination's name for messages: its registered name, else its class name. */
  get combinationName(): string {
    return describeComponent(this.combination, configOf(this.combination)?.name);
  }

  /** θ: every variable except the combination's and the combined readout's. */
  poseVariables(): tf.Variable[] {
    const head = new Set(this.headVariables());
    return this.variables().filter((v) => !head.has(v));
  }

  /** The combination's and the combined readout's variables. */
  headVariables(): tf.Variable[] {
    return [...this.combination.variables(), ...(this.readout?.variables() ?? [])];
  }

  /** Every trainable variable, in the order gradient maps list them. */
  trainableVariables(): tf.Variable[] {
    return this.variables().filter((v) => v.trainable);
  }

  /** Applies the combined readout, if any. */
  readoutCombined(h: tf.Scalar): tf.Scalar {
    return this.readout === undefined ? h : this.readout.apply(h);
  }

  /**
   * Predicts one compound: forward only, pose by pose, in constant memory.
   *
   * @param group - a compound or its poses
   * @returns the combined and per-pose predictions
   */
  predict(group: Compound | readonly Pose[]): GroupPrediction {
    const poses = 'poses' in group ? group.poses : group;
    const id = 'id' in group ? group.id : '(poses)';
    if (poses.length === 0) throw new PosePoolError('E_INPUT', `Compound '${id}' has no poses.`);
    const predictions = Float32Array.from(poses, (pose, i) => {
      validatePose(pose, `compound '${id}', pose ${i}`);
      return tf.tidy(() => this.forwardPose(pose).dataSync()[0]!);
    });
    const combined = tf.tidy(() => this.readoutCombined(this.combination.combine(tf.tensor1d(predictions))).dataSync()[0]!);
    return { combined, poses: predictions };
  }

  /**
   * The loss of one compound and its gradient for every trainable variable, with the pose
   * backward passes decoupled from the combination's.
   *
   * @param compound - the compound and its poses
   * @param loss - a loss on the combined and per-pose predictions
   * @param options - gradient mode (`auto` by default) and memory budget
   * @returns loss, predictions, gradients keyed by variable name (yours to dispose) and the mode used
   */
  valueAndGrads(compound: Compound, loss: Loss, options?: GradientOptions): GroupGradients {
    compound.poses.forEach((pose, i) => validatePose(pose, `compound '${compound.id}', pose ${i}`));
    return computeGradients(this, compound, loss, options);
  }
}
