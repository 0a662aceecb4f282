import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { readRunConfig, resolveRunConfig, runConfigToYaml } from './load.js';
import { runConfigJsonSchema } from './schema.js';

const file = async (name: string, text: string): Promise<string> => {
  const path = join(await mkdtemp(join(tmpdir(), 'posepool-config-')), name);
  await writeFile(path, text);
  return path;
};

describe('run configs', () => {
  it('fill in every default and round-trip through YAML', async () => {
    const config = resolveRunConfig({ epochs: 3, optimizer: { name: 'adamw' } });
    expect(config.batchSize).toBe(4);
    expect(config.optimizer).toMatchObject({ name: 'adamw', learningRate: 3e-3, weightDecay: 0 });
    expect(config.model.representation).toMatchObject({ name: 'schnet' });
    expect(await readRunConfig(await file('run.yaml', runConfigToYaml(config)))).toEqual(config);
  });

  it('name the file, line and column of an unknown key, with the valid keys', async () => {
    const path = await file('run.yaml', 'epochs: 2\noptimizer:\n  name: adam\n  learning_rate: 0.1\n');
    await expect(readRunConfig(path)).rejects.toThrow(`${path}:4:3: unknown key 'optimizer.learning_rate'. Remove it or use one of: name, learningRate,`);
  });

  it('name the line of a bad value, in YAML and JSON', async () => {
    await expect(readRunConfig(await file('run.yaml', 'batchSize: 4\nepochs: many\n'))).rejects.toThrow(/run\.yaml:2:9: epochs: Invalid input: expected number, received string/);
    await expect(readRunConfig(await file('run.json', '{\n  "split": {\n    "kind": "cluster"\n  }\n}\n'))).rejects.toThrow(/run\.json:3:13: split\.kind: Invalid option/);
  });

  it('report syntax errors and non-mapping documents', async () => {
    await expect(readRunConfig(await file('run.yaml', 'epochs: 2\nepochs: 3\n'))).rejects.toThrow(/run\.yaml:2:1: not valid YAML or JSON \(DUPLICATE_KEY/);
    await expect(readRunConfig(await file('run.yaml', '- 1\n- 2\n'))).rejects.toThrow(/a run config is a mapping of keys .* not a list/);
    await expect(readRunConfig('no/such/run.yaml')).rejects.toMatchObject({ code: 'E_RUN_CONFIG', message: expect.stringMatching(/cannot read the run config \(ENOENT\)/) });
  });

  it('export a JSON Schema that is strict and requires nothing that has a default', () => {
    const schema = runConfigJsonSchema() as { additionalProperties: boolean; required?: string[]; properties: Record<string, { default?: unknown }> };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required ?? []).toEqual([]);
    expect(schema.properties.epochs!.default).toBe(15);
  });
});
