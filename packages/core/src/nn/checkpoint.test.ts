import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import { centralDifferences } from '../testing/check-combination.js';
import { expectNoLeaks } from '../testing/leaks.js';
import { checkpoint } from './checkpoint.js';

// A two-layer block y = Σ tanh(x W) ⊙ (x W) V, with W a variable read inside and x, V plain inputs.
const X = [0.3, -1.2, 0.8, 0.5, -0.4, 1.1];
const W0 = [0.7, -0.2, 0.4, 1.3, -0.9, 0.25];
const V = [0.6, -1.1, 0.2, 0.9];
const block = (w: tf.Tensor) => (x: tf.Tensor, v: tf.Tensor) => tf.matMul(tf.tanh(tf.matMul(x, w)).mul(tf.matMul(x, w)), v);

/** Gradients of sum(y²) for x, V and W, with the block plain or checkpointed (in two parts of rows when `chunks` is 2). */
function gradients(w: tf.Variable, checkpointed: boolean, chunks = 1): number[][] {
  return tf.tidy(() => {
    const x = tf.tensor2d(X, [3, 2]);
    const v = tf.tensor2d(V, [2, 2]);
    const f = block(w);
    const { grads } = tf.engine().gradients(() => {
      // Two parts: the first row's square sum and the others'.
      const part = ([a, b]: tf.Tensor[], p: number): tf.Tensor => f(chunks === 1 ? a! : p === 0 ? a!.slice([0, 0], [1, 2]) : a!.slice([1, 0], [2, 2]), b!).square().sum();
      return checkpointed ? checkpoint(part, [x, v, w], chunks) : part([x, v], 0);
    }, [x, v, w]);
    return grads.map((g) => Array.from(g.dataSync()));
  });
}

/** sum(y²) in JS doubles. */
function lossInDoubles(x: number[], w: number[], v: number[]): number {
  let total = 0;
  for (let r = 0; r < 3; r++) {
    const xw = [0, 1].map((k) => x[2 * r]! * w[k]! + x[2 * r + 1]! * w[2 + k]!);
    const h = xw.map((a) => Math.tanh(a) * a);
    for (let k = 0; k < 2; k++) total += (h[0]! * v[k]! + h[1]! * v[2 + k]!) ** 2;
  }
  return total;
}

describe('checkpoint', () => {
  // Float32 against doubles: 1e-4 of the largest entry covers a few ulps through two products and tanh.
  const close = (actual: number[], expected: number[]): void => {
    const scale = Math.max(...expected.map(Math.abs));
    actual.forEach((a, i) => expect(Math.abs(a - expected[i]!)).toBeLessThan(1e-4 * scale));
  };

  it('gives the plain gradients, for plain inputs and for variables read inside, equal to central differences in doubles', () => {
    const w = tf.variable(tf.tensor2d(W0.slice(0, 4), [2, 2]));
    const plain = gradients(w, false);
    const [checkpointed, chunked] = expectNoLeaks(() => [gradients(w, true), gradients(w, true, 2)] as const);
    checkpointed.forEach((g, k) => close(g, plain[k]!));
    chunked.forEach((g, k) => close(g, plain[k]!));
    const w4 = W0.slice(0, 4);
    close(checkpointed[0]!, centralDifferences((x) => lossInDoubles(x, w4, V), X));
    close(checkpointed[1]!, centralDifferences((v) => lossInDoubles(X, w4, v), V));
    close(checkpointed[2]!, centralDifferences((w) => lossInDoubles(X, w, V), w4));
    w.dispose();
  });

  it('keeps only its inputs on the tape: the backward pass recomputes, and the outer tape survives it', async () => {
    const w = tf.variable(tf.randomNormal([64, 64], 0, 0.1, 'float32', 1));
    const x = tf.randomNormal([256, 64], 0, 1, 'float32', 2);
    const layer = (a: tf.Tensor): tf.Tensor => tf.tanh(tf.matMul(tf.tanh(tf.matMul(a, w)), w)).add(a);
    const run = (checkpointed: boolean): number[] => {
      const { value, grads } = tf.engine().gradients(() => {
        let h: tf.Tensor = x;
        for (let k = 0; k < 8; k++) h = checkpointed ? checkpoint(([a]) => layer(a!), [h, w]) : layer(h);
        return h.sum();
      }, [w]);
      const out = Array.from(grads[0]!.dataSync());
      tf.dispose([value, ...grads]);
      return out;
    };
    const peak = async (checkpointed: boolean): Promise<number> => (await tf.profile(() => void run(checkpointed))).peakBytes - tf.memory().numBytes;
    const [plain, checkpointed] = await expectNoLeaks(async () => [await peak(false), await peak(true)]);
    // Plain keeps ~5 activations of 256 × 64 per layer (8 layers); checkpointed each layer's input, and one layer's at a time.
    expect(checkpointed!).toBeLessThan(plain! / 2);
    close(run(true), run(false));
    tf.dispose([w, x]);
  });

  it('outside a tape is f itself, leaking nothing', () => {
    const w = tf.variable(tf.tensor2d(W0.slice(0, 4), [2, 2]));
    const values = expectNoLeaks(() =>
      tf.tidy(() => {
        const x = tf.tensor2d(X, [3, 2]);
        const v = tf.tensor2d(V, [2, 2]);
        return [block(w)(x, v), checkpoint(([a, b]) => block(w)(a!, b!), [x, v, w])].map((t) => Array.from(t.dataSync()));
      }),
    );
    expect(values[1]).toEqual(values[0]);
    w.dispose();
  });
});
