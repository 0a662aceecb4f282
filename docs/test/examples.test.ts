// The guides' run configs are valid run configs whose models build.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { buildModel } from '@posepool/core';
import { readRunConfig, runRegistry } from '@posepool/training';
import { expect, it } from 'vitest';

const dir = fileURLToPath(new URL('../examples/', import.meta.url));

it.each(readdirSync(dir).filter((f) => f.endsWith('.yaml')))('docs/examples/%s is a valid run config and its model builds', async (file) => {
  const config = await readRunConfig(`${dir}${file}`);
  const model = buildModel(config.model, runRegistry());
  expect(model.trainableVariables()).not.toEqual({});
  model.dispose();
});
