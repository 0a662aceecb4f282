import * as tf from '@tensorflow/tfjs';
import type { Compound, MultiPoseModel } from '@posepool/core';

/**
 * Target centring: shifts the last one-element bias of the model's strategy (its output head) so
 * the mean prediction over `compounds` equals their mean target. The network then starts at the
 * data's level and learns the differences between compounds, which is what the loss is about
 * (pK values sit near 7, far from an untrained network's output). It needs no undo at prediction
 * time: the shift is part of the saved weights. Readouts are affine and the combinations shift
 * with their inputs, so two forward passes (before and after a unit step) give the exact slope.
 *
 * @param model - a freshly built model
 * @param compounds - the training compounds (with targets)
 * @param accept - whether the bias at this path may be shifted (a run started from a saved model shifts it only when it is re-initialised); default: always
 * @returns the bias path shifted, or `undefined` when the model has no such bias, `accept` refuses it, or the output does not move with it
 * @example
 * ```ts
 * centerTarget(model, train.map((e) => e.compound)); // 'strategy.head.bias'
 * ```
 */
export function centerTarget(model: MultiPoseModel, compounds: readonly Compound[], accept: (path: string) => boolean = () => true): string | undefined {
  const candidates = model.namedParameters().filter(([path, p]) => path.startsWith('strategy.') && path.endsWith('bias') && p.variable.size === 1);
  const found = candidates.at(-1);
  if (found === undefined || compounds.length === 0 || !accept(found[0])) return undefined;
  const [path, { variable }] = found;
  const meanPrediction = (): number => compounds.reduce((s, c) => s + model.predict(c).combined, 0) / compounds.length;
  const target = compounds.reduce((s, c) => s + c.target!, 0) / compounds.length;
  const shift = (by: number): void => tf.tidy(() => variable.assign(variable.add(by)));
  const before = meanPrediction();
  shift(1);
  const slope = meanPrediction() - before;
  if (!Number.isFinite(slope) || Math.abs(slope) < 1e-6) {
    shift(-1);
    return undefined;
  }
  shift((target - before) / slope - 1);
  return path;
}
