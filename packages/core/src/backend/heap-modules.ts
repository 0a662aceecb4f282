/**
 * Small SIMD modules (the `*.wat` files here) instantiated on the memory of TF.js's wasm
 * backend, so that they read and write tensors in place: no copies in or out.
 */

/** The part of the WebAssembly API used here (TypeScript declares it only with the DOM library). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

/**
 * Compiles and instantiates a module shipped as base64 (synchronously: these are a few hundred
 * bytes, within what every engine compiles on the main thread).
 *
 * @param base64 - the assembled module
 * @param imports - what it imports
 * @returns its exports
 * @throws where WebAssembly lacks a feature the module uses (SIMD)
 * @example
 * ```ts
 * const { softplus } = instantiate(ACTIVATIONS_WASM) as { softplus: Softplus };
 * ```
 */
export function instantiate(base64: string, imports: object = {}): unknown {
  const module = new WebAssembly.Module(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
  return new WebAssembly.Instance(module, imports).exports;
}

/** The parts of the wasm backend these modules use. */
export interface WasmBackend {
  readonly wasm: { readonly asm?: { readonly memory?: object } };
  makeOutput(shape: number[], dtype: 'float32' | 'int32'): { dataId: object; shape: number[]; dtype: 'float32' | 'int32' };
  typedArrayFromHeap(info: { dataId: object; shape: number[]; dtype: string }): Float32Array | Int32Array | Uint8Array;
}

const instances = new Map<string, WeakMap<object, unknown>>();

/**
 * The exports of a module (base64) instantiated on `backend`'s memory, once per memory.
 *
 * @param base64 - the assembled module, which imports `tfjs.memory`
 * @param backend - the wasm backend
 * @returns its exports, or `null` where the backend does not expose its memory or WebAssembly lacks SIMD (callers then use TF.js's kernels)
 * @example
 * ```ts
 * const kernels = onBackendMemory<{ addRows: AddRows }>(BIAS_WASM, backend);
 * ```
 */
export function onBackendMemory<T>(base64: string, backend: WasmBackend): T | null {
  const memory = backend.wasm.asm?.memory;
  if (memory === undefined) return null;
  let byMemory = instances.get(base64);
  if (byMemory === undefined) instances.set(base64, (byMemory = new WeakMap()));
  if (!byMemory.has(memory)) {
    try {
      byMemory.set(memory, instantiate(base64, { tfjs: { memory } }));
    } catch {
      byMemory.set(memory, null);
    }
  }
  return byMemory.get(memory) as T | null;
}
