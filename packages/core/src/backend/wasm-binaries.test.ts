import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

// @ts-expect-error: a plain .mjs build script, without types
import { assemble, expandVectors } from '../../scripts/assemble.mjs';
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

describe('the interleaving directives of the .wat files', () => {
  it('declare locals per copy, paste snippets, and repeat each expression per copy with its names and offsets', () => {
    const text = [
      '  ;; @define twice',
      '    (local.set $t (f32x4.add (local.get $x) (local.get $x))) ;; a comment',
      '  ;; @end',
      '  (func (param $in i32)',
      '    ;; @locals 2 $x $t',
      '    ;; @each 2 $x $t',
      '    (local.set $x (v128.load offset=0',
      '      (local.get $in)))',
      '    ;; @use twice',
      '    (local.set $tt (local.get $t))',
      '    ;; @end',
      '  )',
    ].join('\n');
    expect(expandVectors(text).split('\n').map((line: string) => line.trim().replace(/\s+/g, ' '))).toEqual([
      '(func (param $in i32)',
      '(local $x0 v128) (local $x1 v128) (local $t0 v128) (local $t1 v128)',
      '(local.set $x0 (v128.load offset=0 (local.get $in)))',
      '(local.set $x1 (v128.load offset=16 (local.get $in)))',
      '(local.set $t0 (f32x4.add (local.get $x0) (local.get $x0)))',
      '(local.set $t1 (f32x4.add (local.get $x1) (local.get $x1)))',
      '(local.set $tt (local.get $t0))',
      '(local.set $tt (local.get $t1))',
      ')',
    ]);
    expect(() => expandVectors('  ;; @use missing\n')).toThrow(/@use missing: no @define missing/);
  });
});
