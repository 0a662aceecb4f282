import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { expectNoLeaks } from '@posepool/core/testing';
import { describe, expect, it } from 'vitest';

import { usageExample } from '../examples/usage.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('README', () => {
  it('shows examples/usage.ts verbatim', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const example = readFileSync(join(root, 'examples', 'usage.ts'), 'utf8').split('\n').slice(1).join('\n').trim();
    expect(readme).toContain(example);
  });

  it('runs its usage example without leaking tensors', async () => {
    const losses = await expectNoLeaks(() => usageExample(join(root, 'examples', 'data', 'tyk2')));
    expect(losses).toHaveLength(3);
    expect(losses.every(Number.isFinite)).toBe(true);
  });
});
