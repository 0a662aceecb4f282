import * as tf from '@tensorflow/tfjs';

/**
 * `UnsortedSegmentSum` kernels for the backends that lack one or do it badly.
 *
 * The gradient of `tf.gather` calls `unsortedSegmentSum`, so every message-passing model
 * (gather over a neighbour list) needs it in its backward pass. tfjs 4.22's wasm backend has
 * no such kernel, and the CPU backend's is O(segments × rows × features): unusable for a
 * 500-atom, 16 000-edge graph. Both are replaced here by O(rows × features) kernels.
 */

const KERNEL = 'UnsortedSegmentSum';

interface SegmentSumInputs {
  x: tf.TensorInfo;
  segmentIds: tf.TensorInfo;
}

function outputShape(x: tf.TensorInfo, numSegments: number): number[] {
  return [numSegments, ...x.shape.slice(1)];
}

/** Sums rows of `values` into `out` by segment id; ids outside [0, numSegments) are dropped, as in TensorFlow. */
function segmentSumInto(
  values: ArrayLike<number>,
  ids: ArrayLike<number>,
  rowSize: number,
  numSegments: number,
  out: Float32Array | Int32Array,
): void {
  for (let row = 0; row < ids.length; row++) {
    const segment = ids[row]!;
    if (segment < 0 || segment >= numSegments) continue;
    const src = row * rowSize;
    const dst = segment * rowSize;
    for (let k = 0; k < rowSize; k++) out[dst + k]! += values[src + k]!;
  }
}

interface CpuLikeBackend {
  data: { get(dataId: object): { values: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array | Int32Array): tf.TensorInfo;
}

const cpuSegmentSum: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as unknown as SegmentSumInputs;
  const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
  const cpu = backend as unknown as CpuLikeBackend;
  const shape = outputShape(x, numSegments);
  const rowSize = x.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = x.dtype === 'int32' ? new Int32Array(numSegments * rowSize) : new Float32Array(numSegments * rowSize);
  segmentSumInto(cpu.data.get(x.dataId).values, cpu.data.get(segmentIds.dataId).values, rowSize, numSegments, out);
  return cpu.makeTensorInfo(shape, x.dtype, out);
};

interface WasmLikeBackend {
  disposeData(dataId: object): boolean;
}

/** wasm: a ScatterNd with `[rows, 1]` indices sums duplicate indices in native code. */
const wasmSegmentSum: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as unknown as SegmentSumInputs;
  const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
  const reshape = tf.getKernel('Reshape', 'wasm')!.kernelFunc;
  const scatter = tf.getKernel('ScatterNd', 'wasm')!.kernelFunc;
  const rows = segmentIds.shape.reduce((a, b) => a * b, 1);
  const indices = reshape({ inputs: { x: segmentIds }, backend, attrs: { shape: [rows, 1] } }) as tf.TensorInfo;
  try {
    return scatter({
      inputs: { indices, updates: x },
      backend,
      attrs: { shape: outputShape(x, numSegments) },
    });
  } finally {
    (backend as unknown as WasmLikeBackend).disposeData(indices.dataId);
  }
};

/** PosePool's `UnsortedSegmentSum` per backend. */
export const segmentSumKernels: Record<string, tf.KernelFunc> = { cpu: cpuSegmentSum, wasm: wasmSegmentSum };

/** Whether every id is ≥ 0, read cheaply where tensors live in main memory (else: unknown). */
function knownNonNegative(ids: tf.Tensor): boolean {
  const backend = tf.getBackend();
  return (backend === 'wasm' || backend === 'cpu') && (ids.dataSync() as Int32Array).every((id) => id >= 0);
}

/**
 * The gradient of `UnsortedSegmentSum`: a gather of dy by segment id, zero for dropped
 * (negative) ids. tfjs's own builds four full-size temporaries (ones, logicalAnd, zerosLike,
 * where) per call, which cost as much as the gather itself in message-passing backward
 * passes; here it is one gather when the ids are known to be non-negative (neighbour lists),
 * else a gather and one masking multiply.
 */
export const segmentSumGradient: tf.GradConfig = {
  kernelName: KERNEL,
  inputsToSave: ['segmentIds'],
  gradFunc: (dy, saved) => {
    const [segmentIds] = saved as [tf.Tensor];
    const gradient = Array.isArray(dy) ? dy[0]! : dy;
    return {
      x: () =>
        tf.tidy(() => {
          if (knownNonNegative(segmentIds)) return tf.gather(gradient, segmentIds);
          const rows = tf.gather(gradient, tf.maximum(segmentIds, tf.scalar(0, 'int32')));
          const kept = tf.greaterEqual(segmentIds, 0).cast('float32');
          return rows.mul(kept.reshape([...kept.shape, ...new Array<number>(rows.rank - kept.rank).fill(1)]));
        }),
    };
  },
};
