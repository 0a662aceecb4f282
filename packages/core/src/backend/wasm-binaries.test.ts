import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

// @ts-expect-error: a plain .mjs build script, without types
import { assemble } from '../../scripts/assemble.mjs';
import { ACTIVATIONS_WASM } from './activations-wasm.js';
import { BIAS_WASM } from './bias-wasm.js';
import { MESSAGES_WASM } from './messages-wasm.js';

describe('the shipped wasm binaries', () => {
  it.each([
    ['activations', ACTIVATIONS_WASM],
    ['bias', BIAS_WASM],
    ['messages', MESSAGES_WASM],
  ])('%s-wasm.ts is %s.wat assembled (run pnpm --filter @posepool/core run wasm after editing a .wat)', async (name, shipped) => {
    const bytes = (await assemble(`${name}.wat`, readFileSync(new URL(`./${name}.wat`, import.meta.url), 'utf8'))) as Uint8Array;
    expect(Buffer.from(bytes).toString('base64')).toBe(shipped);
  });
});
