/** ln Σ exp(x_i) in JS doubles, shifted by the maximum so large inputs stay finite. */
export function logSumExp(x: readonly number[]): number {
  const m = Math.max(...x);
  return m + Math.log(x.reduce((sum, v) => sum + Math.exp(v - m), 0));
}

/** softmax(x) in JS doubles. */
export function softmax(x: readonly number[]): number[] {
  const lse = logSumExp(x);
  return x.map((v) => Math.exp(v - lse));
}
