import * as tf from '@tensorflow/tfjs';
import type { NamedVariables } from '@posepool/core';

import type { RunConfig } from '../config/schema.js';

/** A tensor as JSON: dtype, shape and its bytes in base64. */
export interface SavedTensor {
  readonly name: string;
  readonly dtype: 'float32' | 'int32';
  readonly shape: number[];
  readonly data: string;
}

/** An optimizer's whole state, for checkpoints. */
export interface OptimizerState {
  /** The slots `getWeights()` returns, in its order (iterations first). */
  readonly slots: SavedTensor[];
  /** Adam's running β₁ᵗ and β₂ᵗ (not in `getWeights()`; needed for a bit-exact resume). */
  readonly accBeta?: [number, number];
}

/**
 * Encodes a tensor's values.
 *
 * @param name - a name to store with it
 * @param tensor - the tensor (float32 or int32)
 * @returns its JSON form
 * @example
 * ```ts
 * saveTensor('w', tf.ones([2]));
 * ```
 */
export function saveTensor(name: string, tensor: tf.Tensor): SavedTensor {
  const values = tensor.dataSync() as Float32Array | Int32Array;
  return { name, dtype: tensor.dtype === 'int32' ? 'int32' : 'float32', shape: tensor.shape, data: Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64') };
}

/**
 * Decodes a {@link saveTensor} value.
 *
 * @param saved - the JSON form
 * @returns a new tensor (the caller disposes it)
 * @example
 * ```ts
 * const t = loadTensor(saveTensor('w', tf.ones([2])));
 * ```
 */
export function loadTensor(saved: SavedTensor): tf.Tensor {
  const bytes = Buffer.from(saved.data, 'base64');
  const copy = new Uint8Array(bytes).buffer;
  return tf.tensor(saved.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy), saved.shape, saved.dtype);
}

/**
 * The run's optimizer: Adam, AdamW (Adam with decoupled weight decay, θ ← θ − lr·λ·θ before each
 * step, which TF.js lacks) or SGD (with momentum when set), with a settable learning rate and a
 * state that round-trips exactly through a checkpoint.
 *
 * @example
 * ```ts
 * const optimizer = new RunOptimizer(config.optimizer);
 * optimizer.step(grads, model.trainableVariables());
 * ```
 */
export class RunOptimizer {
  readonly #optimizer: tf.Optimizer;
  readonly #options: RunConfig['optimizer'];
  #learningRate: number;

  /** @param options - the run config's `optimizer` section */
  constructor(options: RunConfig['optimizer']) {
    this.#options = options;
    this.#learningRate = options.learningRate;
    this.#optimizer =
      options.name === 'sgd'
        ? options.momentum > 0
          ? tf.train.momentum(options.learningRate, options.momentum)
          : tf.train.sgd(options.learningRate)
        : tf.train.adam(options.learningRate, options.beta1, options.beta2, options.epsilon);
  }

  /** The current learning rate. */
  get learningRate(): number {
    return this.#learningRate;
  }

  /** @param rate - the learning rate for the next steps */
  setLearningRate(rate: number): void {
    this.#learningRate = rate;
    const optimizer = this.#optimizer as tf.Optimizer & { setLearningRate?: (lr: number) => void; learningRate: number };
    if (optimizer.setLearningRate !== undefined) optimizer.setLearningRate(rate);
    else optimizer.learningRate = rate;
  }

  /**
   * One step: the weight decay (adamw), then the update. Gradients are not disposed. A variable
   * without a gradient (a frozen one) is left exactly as it is: no decay, no update, and its
   * optimizer slots untouched (TF.js optimizers skip a missing gradient; the slot order stays
   * that of `variables`). Adam's step count and β powers are shared and still advance.
   *
   * @param grads - gradients keyed like `variables`; a missing key freezes that variable for this step
   * @param variables - the model's trainable variables (their order is the optimizer's slot order)
   */
  step(grads: tf.NamedTensorMap, variables: NamedVariables): void {
    if (this.#options.name === 'adamw' && this.#options.weightDecay > 0) {
      const keep = 1 - this.#learningRate * this.#options.weightDecay;
      for (const [path, v] of Object.entries(variables)) if (grads[path] !== undefined) tf.tidy(() => v.assign(v.mul(keep)));
    }
    // A null tensor is how TF.js optimizers are told to skip a variable.
    this.#optimizer.applyGradients(Object.entries(variables).map(([path, v]) => ({ name: v.name, tensor: (grads[path] ?? null) as tf.Tensor })));
  }

  /** @returns the whole state (slots and Adam's β powers) */
  async state(): Promise<OptimizerState> {
    const weights = await this.#optimizer.getWeights();
    const slots = weights.map(({ name, tensor }) => saveTensor(name, tensor));
    weights[0]?.tensor.dispose(); // the iteration count: a new scalar on each call, unlike the slot variables
    const adam = this.#optimizer as unknown as { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
    return adam.accBeta1 !== undefined && adam.accBeta2 !== undefined ? { slots, accBeta: [adam.accBeta1.dataSync()[0]!, adam.accBeta2.dataSync()[0]!] } : { slots };
  }

  /** @param state - from {@link RunOptimizer.state} */
  async restore(state: OptimizerState): Promise<void> {
    const tensors = state.slots.map((s) => ({ name: s.name, tensor: loadTensor(s) }));
    try {
      await this.#optimizer.setWeights(tensors);
    } finally {
      tf.dispose(tensors.map((t) => t.tensor));
    }
    const adam = this.#optimizer as unknown as { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
    if (state.accBeta !== undefined && adam.accBeta1 !== undefined && adam.accBeta2 !== undefined) {
      tf.tidy(() => {
        adam.accBeta1!.assign(tf.scalar(state.accBeta![0]));
        adam.accBeta2!.assign(tf.scalar(state.accBeta![1]));
      });
    }
  }

  /** Frees the optimizer's slots. */
  dispose(): void {
    this.#optimizer.dispose();
  }
}
