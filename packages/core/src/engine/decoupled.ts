import * as tf from '@tensorflow/tfjs';

import { backendMemoryLimit } from '../backend/backend.js';
import { PosePoolError } from '../errors.js';
import type { NamedVariables } from '../nn/module.js';
import type { SharedStage } from '../components/representation.js';
import type { Compound, Pose } from '../pose.js';
import { assertInDomain, assertPoseWeights, type Combination } from '../components/combination.js';
import type { Loss } from './losses.js';

/**
 * How the engine computes a compound's gradient (all give the same gradients):
 *
 * - `naive`: one graph over all N poses (reference only; memory N × graph).
 * - `stored`: each pose's ∂ŷ_i/∂θ is kept, then combined (memory 1 graph + N·|θ|).
 * - `recompute`: a forward-only pass gives the ŷ_i, then each pose is back-propagated with its
 *   weight c_i into one accumulator (memory 1 graph + 2·|θ|, 2 forwards + 1 backward per pose).
 * - `auto`: `stored` while N·|θ| fits the memory budget, else `recompute`; `recompute` for a
 *   model with a shared stage (N > 1), whose work it does once per compound.
 *
 * A model's shared stage ({@link SharedStage}) is used by `naive`, `recompute` and prediction;
 * `stored` computes it inside every pose's gradient (keeping every pose's ∂ŷ_i/∂S would cost
 * N·|S|, far more than N·|θ|).
 */
export type GradientMode = 'naive' | 'stored' | 'recompute' | 'auto';

/**
 * The modes {@link GradientMode} names.
 *
 * @example
 * ```ts
 * GRADIENT_MODES.includes(mode);
 * ```
 */
export const GRADIENT_MODES: readonly GradientMode[] = ['naive', 'stored', 'recompute', 'auto'];

/** Options of a gradient computation. */
export interface GradientOptions {
  /**
   * The strategy.
   * @defaultValue 'auto'
   */
  mode?: GradientMode;
  /**
   * Bytes `auto` may spend on stored per-pose gradients (N·|θ|·4).
   * @defaultValue 268435456 (256 MiB)
   */
  memoryBudgetBytes?: number;
  /**
   * Bytes of tensors the step may reach; a step the model estimates above it is refused
   * (`E_MEMORY`) before anything is allocated.
   * @defaultValue the backend's limit ({@link backendMemoryLimit}: 4 GiB on wasm)
   */
  memoryLimitBytes?: number;
}

/**
 * What the engine needs from a multi-pose model: the single-pose forward pass, the combination,
 * and the trainable variables of each stage keyed by parameter path (gradient maps use the same
 * keys). {@link MultiPoseModel} is one; implement it to use the engine with your own TF.js model.
 *
 * @example
 * ```ts
 * const model: DecoupledModel = {
 *   combination: new MeanCombination(),
 *   combinationName: 'mean',
 *   poseVariables: () => ({ 'net.weight': weight }),
 *   combinedVariables: () => ({}),
 *   forwardPose: (pose) => tf.tidy(() => tf.sum(tf.matMul(tf.tensor2d(pose.pos, [pose.z.length, 3]), weight))),
 *   readoutCombined: (h) => h,
 * };
 * ```
 */
export interface DecoupledModel {
  /** The combination. */
  readonly combination: Combination;
  /** The combination's name, for error messages. */
  readonly combinationName: string;
  /** θ: the variables of the single-pose model, keyed by parameter path. */
  poseVariables(): NamedVariables;
  /** The variables after the poses (the combination's φ and the combined readout's), keyed by parameter path; none of them may be among {@link DecoupledModel.poseVariables}. */
  combinedVariables(): NamedVariables;
  /** ŷ_i = f(X_i; θ), a scalar; with `shared`, using the compound's shared stage. */
  forwardPose(pose: Pose, shared?: SharedStage): tf.Scalar;
  /** Optional: what all poses of a compound share, computed once (see {@link SharedStage}); `undefined` when they share nothing. */
  shareAcross?(poses: readonly Pose[]): SharedStage | undefined;
  /** Optional: about how many bytes one pose needs at the peak of a forward (or training) pass; checked before a step. */
  estimateBytes?(pose: Pose, training: boolean): number;
  /** The combined readout (identity when there is none). */
  readoutCombined(h: tf.Scalar): tf.Scalar;
}

/** The result of {@link valueAndGrads} for one compound. */
export interface CompoundGradients {
  /** The loss value. */
  readonly loss: number;
  /** The combined prediction. */
  readonly combined: number;
  /** The per-pose predictions ŷ_i. */
  readonly poses: Float32Array;
  /** dL/dv for every trainable variable v, keyed by parameter path; the caller owns these tensors. */
  readonly grads: tf.NamedTensorMap;
  /** The mode that ran (`auto` resolved). */
  readonly mode: Exclude<GradientMode, 'auto'>;
}

const DEFAULT_BUDGET = 256 * 1024 * 1024;

/**
 * Resolves `auto` to `stored` or `recompute`: `recompute` where it does less work (a shared
 * stage, which `stored` cannot use; or a combination with sparse weights, whose zero-weight poses
 * `recompute` does not back-propagate) or where N·|θ| exceeds the budget; `stored` otherwise.
 *
 * @param mode - the requested mode
 * @param poses - N
 * @param poseParameters - |θ|
 * @param budgetBytes - what `stored` may use for N·|θ| float32 values
 * @param shared - whether the model has a shared stage for this compound
 * @param sparseWeights - whether the combination declares {@link Combination.sparseWeights}
 * @returns the concrete mode
 * @example
 * ```ts
 * resolveMode('auto', 64, 455_809, 64 * 1024 ** 2); // 'recompute'
 * ```
 */
export function resolveMode(mode: GradientMode, poses: number, poseParameters: number, budgetBytes = DEFAULT_BUDGET, shared = false, sparseWeights = false): Exclude<GradientMode, 'auto'> {
  if (mode !== 'auto') return mode;
  if ((shared || sparseWeights) && poses > 1) return 'recompute';
  return poses * poseParameters * 4 <= budgetBytes ? 'stored' : 'recompute';
}

/** Gradients of f() for xs (zeros where f does not reach an x), seeded with dy. */
function gradientsOf(f: () => tf.Tensor, xs: tf.Tensor[], dy?: tf.Tensor): { value: tf.Tensor; grads: tf.Tensor[] } {
  if (xs.length === 0) return { value: tf.tidy(f), grads: [] };
  const { value, grads } = tf.engine().gradients(f, xs, dy, true);
  return { value, grads: grads.map((g, i) => g ?? tf.zerosLike(xs[i]!)) };
}

function readScalar(t: tf.Tensor): number {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
}

/** Trainable variables as `[path, variable]` pairs, in the map's order. */
type Entries = Array<[string, tf.Variable]>;

const trainable = (variables: NamedVariables): Entries => Object.entries(variables).filter(([, v]) => v.trainable);

/** The combined stage: everything after the N pose predictions, on N numbers. */
interface CombinedResult {
  loss: number;
  combined: number;
  /** c_i = ∂L/∂ŷ · w_i + ∂L/∂ŷ_i. */
  poseCoefficients: Float32Array;
  /** dL/dv for the combined stage's variables, in the order given. */
  combinedGrads: tf.Tensor[];
}

function runCombined(model: DecoupledModel, compound: Compound, loss: Loss, predictions: Float32Array, variables: Entries): CombinedResult {
  const who = model.combinationName;
  const bad = predictions.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new PosePoolError('E_NONFINITE', `The single-pose model predicted ${predictions[bad]} for compound '${compound.id}', pose ${bad} (diverged weights, or a pose the model cannot handle).`);
  assertInDomain(model.combination, predictions, `Combination '${who}', compound '${compound.id}'`);
  const ofCombination = new Set(model.combination.variables());
  const combinationVars = variables.map(([, v]) => v).filter((v) => ofCombination.has(v));
  const readoutVars = variables.map(([, v]) => v).filter((v) => !ofCombination.has(v));
  return tf.tidy(() => {
    const y = tf.tensor1d(predictions);
    // One pass over h gives dh/dφ and, when the combination has no closed form, w = dh/dŷ.
    const { value: h, grads: hGrads } = gradientsOf(() => model.combination.combine(y), [y, ...combinationVars]);
    if (h.size !== 1) throw new PosePoolError('E_PROTOCOL', `Combination '${who}' returned shape [${h.shape.join(', ')}] from combine(); expected a scalar.`);
    const weights = model.combination.poseWeights?.(y) ?? hGrads[0]!;
    assertPoseWeights(weights, predictions.length, who);
    // ∂L/∂h (through the combined readout), ∂L/∂ŷ_i where the loss uses the poses directly.
    let combined = 0;
    const { value: lossValue, grads: lossGrads } = gradientsOf(() => {
      const out = model.readoutCombined(h.reshape([]) as tf.Scalar);
      combined = out.dataSync()[0]!;
      return loss({ combined: out, poses: y, compound });
    }, [h, y, ...readoutVars]);
    const [dLdh, dLdy, ...readoutGrads] = lossGrads as [tf.Tensor, tf.Tensor, ...tf.Tensor[]];
    const coefficients = weights.mul(dLdh).add(dLdy);
    const byVariable = new Map<tf.Variable, tf.Tensor>([
      ...combinationVars.map((v, k): [tf.Variable, tf.Tensor] => [v, hGrads[k + 1]!.mul(dLdh)]),
      ...readoutVars.map((v, k): [tf.Variable, tf.Tensor] => [v, readoutGrads[k]!]),
    ]);
    return {
      loss: lossValue.dataSync()[0]!,
      combined,
      poseCoefficients: coefficients.dataSync() as Float32Array,
      combinedGrads: variables.map(([, v]) => byVariable.get(v)!),
    };
  });
}

function assertNotNested(): void {
  if ((tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0) {
    throw new PosePoolError(
      'E_NESTED_TAPE',
      'valueAndGrads() was called inside another gradient computation (tf.variableGrads, tf.grads, optimizer.minimize). ' +
        'TF.js nests tapes into one, which would keep every pose graph alive. Call it at top level and apply its grads with applyGradients().',
    );
  }
}

function naive(model: DecoupledModel, compound: Compound, loss: Loss, theta: Entries, combinedVars: Entries): CompoundGradients {
  let poses: Float32Array = new Float32Array(0);
  let combined = 0;
  const all = [...theta, ...combinedVars];
  const { value, grads } = gradientsOf(() => {
    const shared = model.shareAcross?.(compound.poses);
    const y = tf.stack(compound.poses.map((pose) => model.forwardPose(pose, shared))) as tf.Tensor1D;
    poses = y.dataSync().slice() as Float32Array;
    assertInDomain(model.combination, poses, `Combination '${model.combinationName}', compound '${compound.id}'`);
    const out = model.readoutCombined(model.combination.combine(y));
    combined = out.dataSync()[0]!;
    return loss({ combined: out, poses: y, compound });
  }, all.map(([, v]) => v));
  return { loss: readScalar(value), combined, poses, grads: named(all, grads), mode: 'naive' };
}

function stored(model: DecoupledModel, compound: Compound, loss: Loss, theta: Entries, combinedVars: Entries): CompoundGradients {
  const predictions = new Float32Array(compound.poses.length);
  const perPose: tf.Tensor[][] = [];
  try {
    compound.poses.forEach((pose, i) => {
      const { value, grads } = gradientsOf(() => model.forwardPose(pose), theta.map(([, v]) => v));
      predictions[i] = readScalar(value);
      perPose.push(grads);
    });
    const result = runCombined(model, compound, loss, predictions, combinedVars);
    const c = result.poseCoefficients;
    const poseGrads: tf.Tensor[] = [];
    try {
      for (let k = 0; k < theta.length; k++) poseGrads.push(tf.tidy(() => tf.addN(perPose.map((grads, i) => grads[k]!.mul(c[i]!)))));
    } catch (error) {
      tf.dispose([...poseGrads, ...result.combinedGrads]);
      throw error;
    }
    return { loss: result.loss, combined: result.combined, poses: predictions, grads: named([...theta, ...combinedVars], [...poseGrads, ...result.combinedGrads]), mode: 'stored' };
  } finally {
    perPose.flat().forEach((g) => g.dispose());
  }
}

/** Sums `grads` into `sums` (taking both over), or starts the sums. */
function accumulate(sums: tf.Tensor[] | undefined, grads: tf.Tensor[]): tf.Tensor[] {
  if (sums === undefined) return grads;
  return sums.map((sum, k) => {
    const next = sum.add(grads[k]!);
    sum.dispose();
    grads[k]!.dispose();
    return next;
  });
}

const GiB = (bytes: number): string => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;

/**
 * Refuses a step the model estimates beyond the memory limit (on wasm, running out aborts the
 * process, which no caller can catch): `naive` holds every pose's graph, the other modes one.
 *
 * @param model - the model (without `estimateBytes`, nothing is checked)
 * @param compound - the compound
 * @param mode - the mode about to run, or `predict`
 * @param extraBytes - what the mode keeps besides one pose graph (stored gradients, accumulators)
 * @param limit - the limit in bytes
 */
export function assertStepFits(model: DecoupledModel, compound: Compound, mode: Exclude<GradientMode, 'auto'> | 'predict', extraBytes: number, limit = backendMemoryLimit()): void {
  if (model.estimateBytes === undefined || !Number.isFinite(limit)) return;
  const perPose = compound.poses.map((pose) => model.estimateBytes!(pose, mode !== 'predict'));
  const graphs = mode === 'naive' ? perPose.reduce((a, b) => a + b, 0) : Math.max(...perPose);
  const inUse = tf.memory().numBytes;
  if (graphs + extraBytes + inUse <= limit) return;
  const largest = perPose.indexOf(Math.max(...perPose));
  throw new PosePoolError(
    'E_MEMORY',
    `Compound '${compound.id}': ${mode === 'predict' ? 'predicting' : `a ${mode} training step`} needs about ${GiB(graphs + extraBytes)} of tensors (pose ${largest}, ${compound.poses[largest]!.z.length} atoms, the largest: ${GiB(perPose[largest]!)}), and ${GiB(inUse)} are in use, beyond the backend's ${GiB(limit)}. ` +
      `Crop the pocket (a smaller pocketCutoff), lower the model's sizes or neighbour count${mode === 'naive' ? ", use the 'recompute' mode" : ''}, or use a backend without this limit ('tensorflow').`,
  );
}

/**
 * The model's shared stage for `poses`, computed without a tape; its tensors (and those it keeps
 * for its backward pass) are the caller's: see {@link disposeSharedStage}.
 *
 * @param model - the model
 * @param poses - a compound's poses
 * @returns the stage, or `undefined` when the model shares nothing across them
 * @example
 * ```ts
 * const shared = sharedStage(model, compound.poses);
 * try { … } finally { disposeSharedStage(shared); }
 * ```
 */
export function sharedStage(model: Pick<DecoupledModel, 'shareAcross'>, poses: readonly Pose[]): SharedStage | undefined {
  if (model.shareAcross === undefined) return undefined;
  let stage: SharedStage | undefined;
  // Only the tensors pass through tidy: it would walk the context's index arrays element by element.
  tf.tidy(() => {
    stage = model.shareAcross!(poses);
    return [...(stage?.tensors ?? []), ...(stage?.kept ?? [])];
  });
  return stage;
}

/**
 * Disposes a shared stage's tensors and those it keeps for its backward pass (disposing twice is
 * harmless): for code that calls a representation's `shareAcross` itself.
 *
 * @param stage - a stage from a representation's or a model's `shareAcross`, or `undefined`
 * @example
 * ```ts
 * const stage = schnet.shareAcross(compound.poses);
 * try { schnet.represent(compound.poses[0], stage); } finally { disposeSharedStage(stage); }
 * ```
 */
export function disposeSharedStage(stage: SharedStage | undefined): void {
  tf.dispose([...(stage?.tensors ?? []), ...(stage?.kept ?? [])]);
}

function recompute(model: DecoupledModel, compound: Compound, loss: Loss, theta: Entries, combinedVars: Entries, shared: SharedStage | undefined): CompoundGradients {
  const variables = theta.map(([, v]) => v);
  const sharedTensors = shared?.tensors ?? [];
  let accumulated: tf.Tensor[] | undefined;
  let result: CombinedResult | undefined;
  try {
    // Pass 1: forward only (no tape outside a gradient call), constant memory.
    const predictions = Float32Array.from(compound.poses, (pose) => readScalar(tf.tidy(() => model.forwardPose(pose, shared))));
    result = runCombined(model, compound, loss, predictions, combinedVars);
    const c = result.poseCoefficients;
    // Pass 2: back-propagate c_i through pose i into θ and S, accumulating in place.
    compound.poses.forEach((pose, i) => {
      if (c[i] === 0) return; // contributes nothing (e.g. a pose a sharp soft-min ignores)
      const dy = tf.scalar(c[i]!);
      try {
        const { value, grads } = gradientsOf(() => model.forwardPose(pose, shared), [...variables, ...sharedTensors], dy);
        value.dispose();
        accumulated = accumulate(accumulated, grads);
      } finally {
        dy.dispose();
      }
    });
    // Σ_i c_i ∂ŷ_i/∂S, back-propagated through S(θ) once: the gradient of Σ_k <S_k(θ), G_k>.
    if (accumulated !== undefined && sharedTensors.length > 0) {
      const sums = accumulated.splice(variables.length);
      tf.dispose([...sharedTensors]); // not read again: a stage's backward, or S(θ) computed again (two copies of a large stage would not fit)
      try {
        if (shared!.backward !== undefined) {
          // A variable can appear more than once (one representation serving two parts): summed.
          const byVariable = new Map<tf.Variable, tf.Tensor>();
          try {
            for (const [v, g] of shared!.backward(sums)) {
              const previous = byVariable.get(v);
              byVariable.set(v, previous === undefined ? g : previous.add(g));
              if (previous !== undefined) tf.dispose([previous, g]);
            }
          } catch (error) {
            tf.dispose([...byVariable.values()]);
            throw error;
          }
          const grads = variables.map((v) => byVariable.get(v) ?? tf.zerosLike(v));
          tf.dispose([...byVariable].filter(([v]) => !variables.includes(v)).map(([, g]) => g));
          accumulated = accumulate(accumulated, grads);
        } else {
          const { value, grads } = gradientsOf(() => tf.addN(model.shareAcross!(compound.poses)!.tensors.map((s, k) => dotWithConstant(s, sums[k]!))), variables);
          value.dispose();
          accumulated = accumulate(accumulated, grads);
        }
      } finally {
        tf.dispose(sums);
      }
    }
    const poseGrads = accumulated ?? variables.map((v) => tf.zerosLike(v));
    return { loss: result.loss, combined: result.combined, poses: predictions, grads: named([...theta, ...combinedVars], [...poseGrads, ...result.combinedGrads]), mode: 'recompute' };
  } catch (error) {
    tf.dispose(accumulated ?? []);
    tf.dispose(result?.combinedGrads ?? []);
    throw error;
  } finally {
    disposeSharedStage(shared);
  }
}

/** Σ s ⊙ g for a constant g, keeping only g for the backward pass (`mul` would keep s too: a second copy of a shared stage). */
const dotWithConstant = tf.customGrad(((s: tf.Tensor, g: tf.Tensor, save: tf.GradSaveFunc) => {
  save([g]);
  return {
    value: s.mul(g).sum(),
    gradFunc: (dy: tf.Tensor, [kept]: tf.Tensor[]) => [kept!.mul(dy), tf.zerosLike(kept!)],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (s: tf.Tensor, g: tf.Tensor) => tf.Scalar;

/** Pairs variables with their gradients, keyed by parameter path. */
function named(variables: Entries, grads: tf.Tensor[]): tf.NamedTensorMap {
  return Object.fromEntries(variables.map(([path], i) => [path, grads[i]!]));
}

/**
 * dL/dθ and dL/dφ for one compound, with the single-pose backward passes decoupled from the
 * combination: dL/dθ = Σ_i c_i ∂ŷ_i/∂θ with c_i = ∂L/∂ŷ · w_i + ∂L/∂ŷ_i.
 *
 * Call it at top level (not inside another gradient tape). Every tensor made per pose is freed
 * before the next pose; the returned gradients belong to the caller.
 *
 * @param model - the multi-pose model
 * @param compound - the compound and its poses
 * @param loss - the loss on the combined and per-pose predictions
 * @param options - mode and memory budget
 * @returns loss, predictions and one gradient per trainable variable, keyed by parameter path (zeros where the loss does not reach)
 * @throws PosePoolError `E_NESTED_TAPE`, `E_PROTOCOL` (bad pose weights, non-finite predictions), `E_INPUT`
 * @example
 * ```ts
 * const step = valueAndGrads(model, compound, squaredError(), { mode: 'recompute' });
 * applyGradients(optimizer, step.grads, { ...model.poseVariables(), ...model.combinedVariables() });
 * tf.dispose(step.grads);
 * ```
 */
export function valueAndGrads(model: DecoupledModel, compound: Compound, loss: Loss, options: GradientOptions = {}): CompoundGradients {
  assertNotNested();
  if (compound.poses.length === 0) throw new PosePoolError('E_INPUT', `Compound '${compound.id}' has no poses.`);
  const theta = trainable(model.poseVariables());
  const combinedVars = trainable(model.combinedVariables());
  const poseParameters = theta.reduce((total, [, v]) => total + v.size, 0);
  const requested = options.mode ?? 'auto';
  if (!GRADIENT_MODES.includes(requested)) throw new PosePoolError('E_CONFIG', `Unknown gradient mode '${String(requested)}'. Valid modes: ${GRADIENT_MODES.join(', ')}.`);
  // What the mode keeps besides one pose graph: stored per-pose gradients (auto: at most its budget), or recompute's accumulator.
  const storedBytes = compound.poses.length * poseParameters * 4;
  const kept = { naive: 0, stored: storedBytes, recompute: 2 * poseParameters * 4, auto: Math.min(storedBytes, options.memoryBudgetBytes ?? DEFAULT_BUDGET) }[requested];
  assertStepFits(model, compound, requested === 'auto' ? 'stored' : requested, kept, options.memoryLimitBytes);
  // The shared stage (S, computed once per compound) serves recompute; auto asks for it first.
  const shared = requested === 'recompute' || (requested === 'auto' && compound.poses.length > 1) ? sharedStage(model, compound.poses) : undefined;
  const mode = resolveMode(requested, compound.poses.length, poseParameters, options.memoryBudgetBytes, shared !== undefined, model.combination.sparseWeights === true);
  if (mode === 'recompute') return recompute(model, compound, loss, theta, combinedVars, shared);
  disposeSharedStage(shared);
  return mode === 'naive' ? naive(model, compound, loss, theta, combinedVars) : stored(model, compound, loss, theta, combinedVars);
}
