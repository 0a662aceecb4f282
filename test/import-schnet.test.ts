import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { importSchNet } from '../examples/import-schnet.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fixture = JSON.parse(readFileSync(join(root, 'packages', 'models', 'fixtures', 'pyg-schnet-small.json'), 'utf8'));

describe('SchNet import guide', () => {
  it('imports a PyG state dict file and predicts what mtenn predicts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'posepool-import-'));
    const path = join(dir, 'schnet.json');
    writeFileSync(path, JSON.stringify(fixture.models.small.state_dict));
    const model = await importSchNet(path);
    const name = 'tyk2_lig_ejm_31_pose0_crop7';
    const p = fixture.poses[name];
    const pose = { z: Int32Array.from(p.z), pos: Float32Array.from(p.pos.flat()), ligandMask: Uint8Array.from(p.lig, Number) };
    const prediction = model.predict([pose]).combined;
    expect(Math.abs(prediction - fixture.models.small.outputs[name].mtenn_complex_pred_f64)).toBeLessThan(3e-4);
    model.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
});
