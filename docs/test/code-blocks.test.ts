// Every code block of every guide is a file of the repository (or lines of one): no copy that can rot.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { codeBlocks, missingLines } from '../scripts/code-blocks.js';
import { REFERENCE } from '../scripts/reference.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const guides = readdirSync(`${root}/docs/guides`)
  .filter((name) => name.endsWith('.md') && `docs/guides/${name}` !== REFERENCE) // the reference has its own test
  .map((name) => `docs/guides/${name}`);
const blocks = guides.flatMap((guide) => codeBlocks(guide, readFileSync(`${root}/${guide}`, 'utf8')));

describe('the guides’ code blocks', () => {
  it('are found', () => expect(blocks.length).toBeGreaterThan(5));

  it.each(blocks.map((b) => [`${b.guide}:${b.line}`, b] as const))('%s comes from a repository file', (_, block) => {
    expect(block.source, `add <!-- file: path --> or <!-- excerpt: path --> above the block`).toBeDefined();
    const file = readFileSync(`${root}/${block.source!.path}`, 'utf8');
    if (block.source!.kind === 'file') expect(block.code).toBe(file.trimEnd());
    else expect(missingLines(block.code, file)).toEqual([]);
  });
});

describe('codeBlocks and missingLines', () => {
  const markdown = ['# T', '<!-- file: a.ts -->', '```ts', 'const a = 1;', '```', 'text', '```sh', 'ls', '```'].join('\n');
  it('read the marker above a block', () => {
    expect(codeBlocks('g.md', markdown)).toEqual([
      { guide: 'g.md', line: 3, language: 'ts', code: 'const a = 1;', source: { kind: 'file', path: 'a.ts' } },
      { guide: 'g.md', line: 7, language: 'sh', code: 'ls' },
    ]);
  });
  it('find the lines a file lacks, comments aside', () => {
    expect(missingLines('f(x); // why\n\ng(y);', '  f(x);\nh(z);')).toEqual(['g(y);']);
  });
});
