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

const KERNELS: Record<string, tf.KernelFunc> = { cpu: cpuSegmentSum, wasm: wasmSegmentSum };

/**
 * Registers PosePool's `UnsortedSegmentSum` kernel for `backendName` when PosePool has one
 * for it (`wasm`, `cpu`); other backends keep their own. Idempotent.
 * {@link useBackend} calls it; call it yourself only if you select backends with `tf.setBackend`.
 *
 * @param backendName - a TF.js backend name
 * @returns whether a PosePool kernel is now registered for that backend
 * @example
 * ```ts
 * await tf.setBackend('wasm');
 * registerSegmentSumKernel('wasm');
 * ```
 */
export function registerSegmentSumKernel(backendName: string): boolean {
  const kernelFunc = KERNELS[backendName];
  if (kernelFunc === undefined) return false;
  if (tf.getKernel(KERNEL, backendName)?.kernelFunc === kernelFunc) return true;
  if (tf.getKernel(KERNEL, backendName) !== undefined) tf.unregisterKernel(KERNEL, backendName);
  tf.registerKernel({ kernelName: KERNEL, backendName, kernelFunc });
  return true;
}
