// The command-line guide is the commands' own help: regenerate it with `pnpm docs:cli`.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { expect, it } from 'vitest';

import { REFERENCE, commandLineReference } from '../scripts/reference.js';

it(`${REFERENCE} matches every command's --help (else run: pnpm docs:cli)`, async () => {
  const written = await readFile(fileURLToPath(new URL(`../../${REFERENCE}`, import.meta.url)), 'utf8');
  expect(written, `${REFERENCE} is out of date: run pnpm docs:cli`).toBe(await commandLineReference());
});
