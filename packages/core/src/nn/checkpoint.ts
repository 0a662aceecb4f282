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

/** `sum + part`, freeing both (or `part` alone when there is no sum yet). */
function addTo(sum: tf.Tensor | undefined, part: tf.Tensor): tf.Tensor {
  if (sum === undefined) return part;
  const next = sum.add(part);
  tf.dispose([sum, part]);
  return next;
}

/**
 * `Σ_{p < parts} f(inputs, p)`, computed without keeping activations for the backward pass:
 * under a gradient tape only the inputs are kept, and the backward pass runs `f` again, one
 * part at a time on a tape of its own, to back-propagate through it (gradient checkpointing;
 * exact gradients for one more forward pass of `f`). Peak memory is then one part's
 * activations. Outside a tape it is the sum, one part at a time.
 *
 * `f` must depend on tensors with a gradient only through `inputs`. Variables among them (a
 * layer's weights that `f` reads itself) are used as they are, since they outlive the step;
 * other inputs are kept until the tape is released. Tensors `f` makes from JS arrays are made
 * again in the backward pass.
 *
 * @param f - part `p` of the result, from the inputs
 * @param inputs - every tensor `f` needs a gradient for, variables included
 * @param parts - how many parts to sum
 * @returns the sum of the parts
 * @example
 * ```ts
 * const w = tf.variable(tf.randomNormal([64, 64]));
 * const y = checkpoint(([x]) => tf.relu(tf.matMul(x!, w)).matMul(w), [x, w]);
 * ```
 */
export function checkpoint<T extends tf.Tensor>(f: (inputs: tf.Tensor[], part: number) => T, inputs: readonly tf.Tensor[], parts = 1): T {
  const op = tf.customGrad(((...args: unknown[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const xs = args as tf.Tensor[];
    save(xs.filter((x) => !(x instanceof tf.Variable)));
    let value: tf.Tensor | undefined;
    for (let p = 0; p < parts; p++) value = addTo(value, tf.tidy(() => f(xs, p)));
    return {
      value: value!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        let k = 0;
        const live = xs.map((x) => (x instanceof tf.Variable ? x : saved[k++]!));
        return onFreshTape(() => {
          const sums: Array<tf.Tensor | undefined> = live.map(() => undefined);
          for (let p = 0; p < parts; p++) {
            const { value: y, grads } = tf.engine().gradients(() => f(live, p), live, dy, true);
            y.dispose();
            grads.forEach((g, i) => {
              if (g !== undefined && g !== null) sums[i] = addTo(sums[i], g);
            });
          }
          return sums.map((g, i) => g ?? tf.zerosLike(live[i]!));
        });
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(...(inputs as tf.Tensor[])) as T;
}
