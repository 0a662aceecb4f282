import { describe, expect, it } from 'vitest';

import { PosePoolError } from '../errors.js';
import { useBackend, type BackendName } from './backend.js';

describe('useBackend', () => {
  it('explains how to install the native backends when they are absent', async () => {
    for (const [name, pkg] of [['tensorflow', '@tensorflow/tfjs-node'], ['tensorflow-gpu', '@tensorflow/tfjs-node-gpu']] as const) {
      const error = await useBackend(name).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PosePoolError);
      expect((error as PosePoolError).code).toBe('E_BACKEND');
      expect((error as Error).message).toContain(`pnpm add ${pkg}@4.22.0`);
      expect((error as Error).cause).toBeDefined();
    }
  });

  it('lists the valid names for an unknown backend', async () => {
    await expect(useBackend('webgpu' as BackendName)).rejects.toThrow("Unknown backend 'webgpu'. Valid backends: wasm, cpu, tensorflow, tensorflow-gpu.");
  });

  it('switches between wasm and cpu', async () => {
    expect(await useBackend('cpu')).toBe('cpu');
    expect(await useBackend()).toBe('wasm');
  });
});
