// Installed from the packed tarballs of @posepool/core, @posepool/featurizers and @posepool/models:
// featurize the bundled tyk2 folder (copied beside this file), build a SchNet, predict.
import assert from 'node:assert/strict';
import { buildModel, corePlugin, createRegistry, useBackend } from '@posepool/core';
import { featurizeFolder } from '@posepool/featurizers';
import { modelsPlugin } from '@posepool/models';

await useBackend('wasm');
const { compounds } = await featurizeFolder('tyk2', { pocketCutoff: 6 });
assert.ok(compounds.length > 0, 'the bundled folder has compounds');
const registry = createRegistry().use(corePlugin).use(modelsPlugin);
// One pose per compound and the core's `single` combination: no combinations package needed.
const model = buildModel({ representation: { name: 'schnet', options: { hiddenChannels: 16, numFilters: 16, numInteractions: 1, seed: 1 } }, strategy: { name: 'complex-only', options: { seed: 1 } }, combination: { name: 'single' }, readout: { name: 'pki' } }, registry);
const first = { ...compounds[0], poses: compounds[0].poses.slice(0, 1) };
const { combined, poses } = model.predict(first);
assert.ok(Number.isFinite(combined) && poses.length === 1);
const atoms = first.poses[0].z.length;
console.log(`core + featurizers + models: ${compounds.length} compounds featurized; SchNet on '${first.id}' (${atoms} atoms) predicts ${combined.toFixed(3)}`);
