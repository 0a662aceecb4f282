import * as tf from '@tensorflow/tfjs';

/** The engine fields a fresh tape replaces (TF.js keeps one tape per process). */
interface TapeState {
  activeTape: unknown;
  gradientDepth: number;
}

/**
 * Runs `f` on a tape of its own, restoring the caller's afterwards. A gradient taken inside a
 * backward pass would otherwise replace the tape being back-propagated and clear it when done.
 */
function onFreshTape<T>(f: () => T): T {
  const state = tf.engine().state as unknown as TapeState;
  const { activeTape, gradientDepth } = state;
  state.gradientDepth = 0;
  try {
    return f();
  } finally {
    state.activeTape = activeTape;
    state.gradientDepth = gradientDepth;
  }
}

/**
 * `f(...inputs)`, computed without keeping its activations for the backward pass: under a
 * gradient tape only the inputs are kept, and the backward pass runs `f` again on a tape of its
 * own to back-propagate through it (gradient checkpointing; exact gradients for one more forward
 * pass of `f`). Outside a tape it is `f` in a `tf.tidy`.
 *
 * `f` must depend on tensors with a gradient only through `inputs`. Variables among them (a
 * layer's weights that `f` reads itself) are used as they are, since they outlive the step;
 * other inputs are kept until the tape is released. Tensors `f` makes from JS arrays are made
 * again in the backward pass.
 *
 * @param f - a function of the inputs, returning one tensor
 * @param inputs - every tensor `f` needs a gradient for, variables included
 * @returns f(...inputs)
 * @example
 * ```ts
 * const w = tf.variable(tf.randomNormal([64, 64]));
 * const y = checkpoint((x) => tf.relu(tf.matMul(x, w)).matMul(w), [x, w]);
 * ```
 */
export function checkpoint<T extends tf.Tensor>(f: (...inputs: tf.Tensor[]) => T, inputs: readonly tf.Tensor[]): T {
  const op = tf.customGrad(((...args: unknown[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const xs = args as tf.Tensor[];
    save(xs.filter((x) => !(x instanceof tf.Variable)));
    return {
      value: f(...xs),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        let k = 0;
        const live = xs.map((x) => (x instanceof tf.Variable ? x : saved[k++]!));
        return onFreshTape(() => {
          const { value, grads } = tf.engine().gradients(() => f(...live), live, dy, true);
          value.dispose();
          return grads.map((g, i) => g ?? tf.zerosLike(live[i]!));
        });
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(...(inputs as tf.Tensor[])) as T;
}
