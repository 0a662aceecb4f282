import * as tf from '@tensorflow/tfjs';

import { Module, type Parameter } from './module.js';
import { checkParameterBudget, recordKeptTensor } from './parameter-budget.js';

/**
 * y = x Wᵀ + b from a kept Wᵀ. tfjs-wasm's matrix product packs its right operand once per
 * tensor and keeps the packing while the tensor lives, so a product with a kept Wᵀ skips the
 * packing a per-call transpose pays (a 304 × 128 × 128 layer: about 510 → 400 µs). The bias is
 * added apart: in the same kernel (tf.fused.matMul) it would save another ~100 µs but round
 * differently, beyond the PyTorch Geometric parity the tests hold. The gradients are the usual
 * ones: dx = dy W (W a variable: packed once too), dW = dyᵀ x, and db = Σ_rows dy. A constant x
 * is no input of the operation: nothing reaches it, and dx is not computed (a custom gradient
 * computes all its inputs' gradients, needed or not).
 */
function affine(x: tf.Tensor2D, weight: tf.Variable, transposed: tf.Tensor2D, bias: tf.Tensor1D | undefined, constant: boolean): tf.Tensor2D {
  const f = tf.customGrad(((...args: unknown[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [input, w, b] = (constant ? [x, ...args] : args) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D | undefined];
    save([input]);
    return {
      value: b === undefined ? tf.matMul(input, transposed) : tf.matMul(input, transposed).add(b),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], [kept]: tf.Tensor[]) => {
        const g = (Array.isArray(dy) ? dy[0]! : dy) as tf.Tensor2D;
        const grads = [...(constant ? [] : [g.matMul(w)]), g.matMul(kept as tf.Tensor2D, true, false)];
        return b === undefined ? grads : [...grads, g.sum(0)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...inputs: tf.Tensor[]) => tf.Tensor2D;
  const parameters = bias === undefined ? [weight] : [weight, bias];
  return constant ? f(...parameters) : f(x, ...parameters);
}

/** Wᵀ, kept out of any tidy scope, with the weight data it was made from. */
function transposedOf(weight: tf.Variable): { of: object; tensor: tf.Tensor2D } {
  return { of: weight.dataId, tensor: tf.keep(tf.transpose(weight)) as tf.Tensor2D };
}

/** How a {@link Linear} layer starts. */
export interface LinearInit {
  /** Seed for reproducible initialisation (random when absent). */
  seed?: number;
  /**
   * `pytorch`: weight and bias uniform in ±1/√inputs (torch.nn.Linear's default);
   * `xavier`: weight Glorot-uniform, bias zero (PyTorch Geometric's SchNet).
   * @defaultValue 'pytorch'
   */
  scheme?: 'pytorch' | 'xavier';
  /**
   * Whether the layer has a bias.
   * @defaultValue true
   */
  bias?: boolean;
}

/**
 * A dense layer `y = x Wᵀ + b` with PyTorch's layout (`weight` is `[outputs, inputs]`), so
 * weights exported from PyTorch load unchanged.
 *
 * @example
 * ```ts
 * const head = new Linear(64, 1, { seed: 1 });
 * head.apply(tf.ones([64])); // shape [1]
 * ```
 */
export class Linear extends Module {
  /** `[outputs, inputs]`. */
  readonly weight: Parameter;
  /** `[outputs]`, or undefined for a layer without bias. */
  readonly bias: Parameter | undefined;
  /** Wᵀ and the weight data it was made from. */
  #transposed: { of: object; tensor: tf.Tensor2D };

  /**
   * @param inputs - input features
   * @param outputs - output features
   * @param init - seed, initialisation scheme, bias
   */
  constructor(
    readonly inputs: number,
    readonly outputs: number,
    init: LinearInit = {},
  ) {
    super();
    const { seed, scheme = 'pytorch', bias = true } = init;
    checkParameterBudget(outputs * inputs + (bias ? outputs : 0), `Linear ${inputs} → ${outputs}`);
    const bound = scheme === 'xavier' ? Math.sqrt(6 / (inputs + outputs)) : 1 / Math.sqrt(inputs);
    this.weight = this.addParameter('weight', tf.randomUniform([outputs, inputs], -bound, bound, 'float32', seed));
    if (!bias) {
      this.bias = undefined;
    } else {
      const b = 1 / Math.sqrt(inputs);
      this.bias = this.addParameter('bias', scheme === 'xavier' ? tf.zeros([outputs]) : tf.randomUniform([outputs], -b, b, 'float32', seed === undefined ? undefined : seed + 1));
    }
    // Made here, so that the layer holds the same number of tensors from now on (leak checks count them).
    this.#transposed = transposedOf(this.weight.variable);
    recordKeptTensor(this.#transposed.tensor);
  }

  /**
   * @param x - `[inputs]` or `[rows, inputs]`
   * @returns `[outputs]` or `[rows, outputs]`
   */
  apply<T extends tf.Tensor1D | tf.Tensor2D>(x: T): T {
    return this.#affine(x, false);
  }

  /**
   * {@link Linear.apply} for an input that no gradient reaches (features computed from data,
   * such as a distance expansion): the backward pass skips dx, a product the size of the forward.
   * x is treated as a constant, as if detached: were it computed from variables, no gradient
   * would flow back through it.
   *
   * @param x - `[inputs]` or `[rows, inputs]`, a constant
   * @returns `[outputs]` or `[rows, outputs]`
   * @example
   * ```ts
   * const layer = new Linear(50, 128, { seed: 1 });
   * layer.applyToConstant(tf.ones([10, 50])); // shape [10, 128]; gradients reach W and b only
   * ```
   */
  applyToConstant<T extends tf.Tensor1D | tf.Tensor2D>(x: T): T {
    return this.#affine(x, true);
  }

  #affine<T extends tf.Tensor1D | tf.Tensor2D>(x: T, constant: boolean): T {
    return tf.tidy(() => {
      const rows = (x.rank === 1 ? x.reshape([1, -1]) : x) as tf.Tensor2D;
      const y = affine(rows, this.weight.variable, this.#transposedWeight(), this.bias?.variable as tf.Tensor1D | undefined, constant);
      return (x.rank === 1 ? y.reshape([-1]) : y) as T;
    });
  }

  /** Wᵀ for {@link affine}, made again when the weight's data changed (an optimizer's or a load's assign). */
  #transposedWeight(): tf.Tensor2D {
    const weight = this.weight.variable;
    if (this.#transposed.of !== weight.dataId) {
      this.#transposed.tensor.dispose();
      this.#transposed = transposedOf(weight);
    }
    return this.#transposed.tensor;
  }

  protected override releaseTensors(): void {
    this.#transposed.tensor.dispose();
  }
}
