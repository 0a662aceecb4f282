import * as tf from '@tensorflow/tfjs';

import { describeComponent } from '../components/combination.js';
import type { Readout } from '../components/readout.js';
import type { Representation, SharedStage } from '../components/representation.js';
import type { Strategy } from '../components/strategy.js';
import { PosePoolError } from '../errors.js';
import { Module, ModuleGroup } from '../nn/module.js';
import { posePart, sameAtoms } from '../pose-parts.js';
import type { Pose, PosePart } from '../pose.js';
import { configOf } from '../registry/registry.js';

/** Representations per part: one shared by every part, or one per part (a split model). */
export type Representations = Representation | Partial<Record<PosePart, Representation>>;

/** The parts of a single-pose model. */
export interface SinglePoseModelParts {
  /** The representation, shared by every part, or one per part (mtenn's SplitModel). */
  representation: Representations;
  /** Turns part representations into a prediction. */
  strategy: Strategy;
  /** Applied to each pose's prediction (before any combination). */
  poseReadout?: Readout;
}

/** A component's name in messages: its registered name, else its class. */
const nameOf = (component: object): string => describeComponent(component, configOf(component)?.name);

function isRepresentation(r: Representations): r is Representation {
  return typeof (r as Representation).represent === 'function';
}

/** Where one part's shared tensors sit in a model's {@link SharedStage}. */
interface PartStage {
  part: PosePart;
  count: number;
  /** The whole part representation is shared (one vector), not a stage of its representation. */
  whole: boolean;
  context?: unknown;
  backward?: SharedStage['backward'];
}

/** A model's shared stage split back into each part's: a shared vector, or a representation's stage. */
function unpackStages(shared: SharedStage | undefined): Map<PosePart, { vector?: tf.Tensor1D; stage?: SharedStage }> {
  const out = new Map<PosePart, { vector?: tf.Tensor1D; stage?: SharedStage }>();
  let k = 0;
  for (const entry of (shared?.context ?? []) as PartStage[]) {
    const tensors = shared!.tensors.slice(k, k + entry.count);
    k += entry.count;
    out.set(entry.part, entry.whole ? { vector: tensors[0] as tf.Tensor1D } : { stage: { tensors, context: entry.context } });
  }
  return out;
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
 * const model = new SinglePoseModel({ representation, strategy: new ComplexOnlyStrategy({ complex: representation.outputSize }) });
 * const prediction = model.forwardPose(pose); // tf.Scalar
 * ```
 */
export class SinglePoseModel extends Module {
  readonly #representationFor: Partial<Record<PosePart, Representation>>;
  /** Whether one representation serves every part (else one per part, a split model). */
  readonly sharedRepresentation: boolean;
  /** The strategy. */
  readonly strategy: Strategy;
  /** The per-pose readout, if any. */
  readonly poseReadout: Readout | undefined;

  /** @param parts - representation(s), strategy and optional per-pose readout */
  constructor(parts: SinglePoseModelParts) {
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
      throw new PosePoolError('E_CONFIG', `Strategy '${nameOf(strategy)}' needs representations of ${missing.join(', ')}, which the model does not have.`);
    }
    for (const part of strategy.parts) {
      const given = this.#representationFor[part]!.outputSize;
      const expected = strategy.inputSizes[part];
      if (given !== expected) {
        throw new PosePoolError(
          'E_CONFIG',
          `Strategy '${nameOf(strategy)}' was built for a ${part} representation of size ${expected}, but the model's ${part} representation (${nameOf(this.#representationFor[part]!)}) gives ${given}. Size the strategy from representationSizes(representation).`,
        );
      }
    }
    this.strategy = this.addModule('strategy', strategy);
    this.poseReadout = parts.poseReadout === undefined ? undefined : this.addModule('pose_readout', parts.poseReadout);
  }

  /** The representation used for `part`, if any. */
  representationFor(part: PosePart): Representation | undefined {
    return this.#representationFor[part];
  }

  /**
   * What the poses of a compound share, once per compound: a part whose atoms are the same in
   * every pose (the cropped pocket for `protein`) has its whole representation shared; other parts
   * share what their representation's {@link Representation.shareAcross} offers.
   *
   * @param poses - the compound's poses
   * @returns the shared stage, or `undefined` when nothing is shared
   */
  shareAcross(poses: readonly Pose[]): SharedStage | undefined {
    if (poses.length < 2) return undefined;
    const tensors: tf.Tensor[] = [];
    const kept: tf.Tensor[] = [];
    const entries: PartStage[] = [];
    for (const part of this.strategy.parts) {
      const parts = poses.map((pose) => posePart(pose, part));
      if (part !== 'complex' && parts.every((p) => sameAtoms(p, parts[0]!))) {
        tensors.push(this.#representationFor[part]!.represent(parts[0]!));
        entries.push({ part, count: 1, whole: true });
        continue;
      }
      const stage = this.#representationFor[part]!.shareAcross?.(parts);
      if (stage === undefined) continue;
      tensors.push(...stage.tensors);
      kept.push(...(stage.kept ?? []));
      entries.push({ part, count: stage.tensors.length, whole: false, context: stage.context, backward: stage.backward });
    }
    if (tensors.length === 0) return undefined;
    // By hand only when every part's stage has a backward pass (a shared whole representation has none).
    if (!entries.every((e) => e.backward !== undefined)) return { tensors, context: entries, kept };
    const backward = (grads: readonly tf.Tensor[]): Array<readonly [tf.Variable, tf.Tensor]> => {
      let k = 0;
      return entries.flatMap((e) => e.backward!(grads.slice(k, (k += e.count))));
    };
    return { tensors, context: entries, kept, backward };
  }

  /**
   * About how many bytes of tensors one pose needs at the peak of a forward pass (or of a
   * training step): the sum over the strategy's parts of what their representations estimate
   * (0 for representations that give no estimate).
   *
   * @param pose - the pose
   * @param training - whether the backward pass is included
   * @returns bytes
   */
  estimateBytes(pose: Pose, training: boolean): number {
    return this.strategy.parts.reduce((total, part) => total + (this.#representationFor[part]!.estimateBytes?.(posePart(pose, part), training) ?? 0), 0);
  }

  /**
   * ŷ = f(X; θ) for one pose.
   *
   * @param pose - the pose
   * @param shared - the compound's shared stage from {@link SinglePoseModel.shareAcross}, if any
   * @returns its prediction, a scalar
   */
  forwardPose(pose: Pose, shared?: SharedStage): tf.Scalar {
    return tf.tidy(() => {
      const stages = unpackStages(shared);
      const reps: Partial<Record<PosePart, tf.Tensor1D>> = {};
      for (const part of this.strategy.parts) {
        const representation = this.#representationFor[part]!;
        const stage = stages.get(part);
        if (stage?.vector !== undefined) {
          reps[part] = stage.vector;
          continue;
        }
        const r = representation.represent(posePart(pose, part), stage?.stage);
        if (r.rank !== 1 || r.size !== representation.outputSize) {
          throw new PosePoolError(
            'E_PROTOCOL',
            `Representation '${nameOf(representation)}' returned shape [${r.shape.join(', ')}] for the ${part}; it declares outputSize ${representation.outputSize}, so expected [${representation.outputSize}].`,
          );
        }
        reps[part] = r;
      }
      const y = this.strategy.apply(reps);
      return this.poseReadout === undefined ? y : this.poseReadout.apply(y);
    });
  }
}
