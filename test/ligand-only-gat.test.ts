import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs';
import { censoredSquaredError, createLigandOnlyModel, ligandOnlyCompound, PIC50Readout } from '@posepool/core';
import { checkModelGradients, expectNoLeaks } from '@posepool/core/testing';
import { featurizeFolder } from '@posepool/featurizers';
import { GAT } from '@posepool/models';
import { describe, expect, it } from 'vitest';

describe('a ligand-only GAT on featurized ligands', () => {
  it('reads RDKit features, trains with a censored loss, and matches naive gradients', async () => {
    const folder = fileURLToPath(new URL('../packages/featurizers/fixtures/valid', import.meta.url));
    const { compounds } = await featurizeFolder(folder, { ligandFeatures: true });
    const model = createLigandOnlyModel({ representation: new GAT({ seed: 1 }), readout: new PIC50Readout(), seed: 1 });
    const single = compounds.map(ligandOnlyCompound);
    expect(single[1]!.targetQualifier).toBe('>');
    expectNoLeaks(() => {
      for (const compound of single) {
        const step = model.valueAndGrads(compound, censoredSquaredError());
        expect(Number.isFinite(step.loss)).toBe(true);
        tf.dispose(step.grads);
      }
    });
    checkModelGradients(model, [{ ...single[0]!, poseLabels: { pose_target: Float32Array.from([7]) } }], { modes: ['stored', 'recompute'] });
    model.dispose();
  });
});
