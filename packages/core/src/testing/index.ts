/**
 * The checks PosePool runs on its own components, for plugin authors: combinations against
 * closed forms, autodiff and float64 central differences; decoupled gradients against the
 * naive full graph; plus a small message-passing representation and seeded random poses.
 *
 * @example
 * ```ts
 * import { checkCombination, checkDecoupledGradients } from '@posepool/core/testing';
 * ```
 *
 * @packageDocumentation
 */
export { checkCombination, centralDifferences, type CheckResult, type CombinationCheckOptions } from './check-combination.js';
export {
  assertGradientsMatch,
  checkDecoupledGradients,
  checkModelGradients,
  gradientError,
  CHECK_LOSSES,
  type GradientCheckOptions,
  type GradientError,
  type ModelGradientCheckOptions,
} from './check-gradients.js';
export { expectNoLeaks } from './leaks.js';
export { PoseMean } from './pose-mean.js';
export { randomCompound, randomPose, seededRandom, type RandomPoseOptions } from './random.js';
export { ToyMessagePassing, toyMessagePassing, toyMessagePassingOptions, type ToyMessagePassingOptions } from './toy-representation.js';
export { testingPlugin } from './plugin.js';
